package ${package}.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Objects;

import org.osgi.service.component.annotations.Component;
import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.ChunkSink;
import org.roamer.api.spi.migration.MigratingAgent;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.MigrationStrategy;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;
import org.roamer.api.spi.migration.StrategyTraits;

/**
 * The migration strategy "${strategyName}". As generated it moves the agent's whole image ({@link AgentImage}: data,
 * stack, registers) in chunks of at most {@link MigrationContext#maxChunkBytes()}, each bound to its migration and
 * sealed ({@link ImageChunks}); the target rebuilds the agent with {@link RestoreTarget#restoreImage}. Replace the
 * capture and the restore with your own; keep the checks.
 *
 * <p>Declarative Services registers it as a {@link MigrationStrategy} with {@code roamer.strategy=${strategyName}};
 * the Roamer core picks it up from its whiteboard. Stateless and thread-safe: each restore has its own session.
 */
@Component(service = MigrationStrategy.class,
        property = MigrationStrategy.NAME_PROPERTY + "=" + ${strategyClass}.NAME)
public final class ${strategyClass} implements MigrationStrategy {
    /** The strategy's name and service property value. */
    public static final String NAME = "${strategyName}";

    private static final StrategyTraits TRAITS = new StrategyTraits(true, false, true, false,
            "the agent's whole image in sealed chunks bound to the migration");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StrategyTraits traits() {
        return TRAITS;
    }

    @Override
    public void capture(MigratingAgent agent, MigrationContext ctx, ChunkSink out) throws MigrationException {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(out, "out");
        AgentImage image = agent.image();
        if (image == null) {
            throw new MigrationException(NAME + ": agent " + agent.mobile() + " gave no image");
        }
        if (image.size() > ctx.maxImageBytes()) {
            throw new MigrationException(NAME + ": the image of " + ctx.mobile() + " takes " + image.size()
                    + " bytes, over this migration's limit of " + ctx.maxImageBytes());
        }
        for (byte[] chunk : ImageChunks.split(encode(image), ctx)) {
            out.accept(chunk);
        }
    }

    @Override
    public RestoreSession beginRestore(RestoreTarget target, MigrationContext ctx) throws MigrationException {
        return new ${strategyClass}RestoreSession(Objects.requireNonNull(target, "target"),
                Objects.requireNonNull(ctx, "ctx"));
    }

    /** The image as bytes: its type, then the three segments, each with its length. */
    static byte[] encode(AgentImage image) throws MigrationException {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.size() + 64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeUTF(image.type().bundle());
            out.writeUTF(image.type().version());
            out.writeLong(image.type().layoutHash());
            for (byte[] segment : new byte[][] {image.data(), image.stack(), image.registers()}) {
                out.writeInt(segment.length);
                out.write(segment);
            }
            return bytes.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new MigrationException(NAME + ": cannot encode the image: " + e.getMessage(), e);
        }
    }
}
