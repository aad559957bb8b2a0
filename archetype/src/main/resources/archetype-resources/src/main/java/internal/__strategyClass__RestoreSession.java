package ${package}.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;

import org.roamer.api.spi.migration.AgentImage;
import org.roamer.api.spi.migration.AgentType;
import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;
import org.roamer.api.spi.migration.RestoreSession;
import org.roamer.api.spi.migration.RestoreTarget;

/**
 * The target's side of one migration with "${strategyName}": takes the chunks in order, checks each
 * ({@link ImageChunks#payload}) and the size against both limits before it buffers (the image's segments against
 * the smaller of {@link MigrationContext#maxImageBytes()} and {@link RestoreTarget#maxRestoredBytes()}), and
 * rebuilds the agent on
 * {@link #finish()}. Used by one thread at a time (the core's cell of the arriving agent).
 */
final class ${strategyClass}RestoreSession implements RestoreSession {
    /** Room for the image's type (two names and a hash) and the three lengths before the segments. */
    private static final int HEADER_ROOM = 1024;

    private final RestoreTarget target;
    private final MigrationContext ctx;
    private final long limit;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private int next;
    private int count = -1;
    private boolean done;

    ${strategyClass}RestoreSession(RestoreTarget target, MigrationContext ctx) {
        this.target = target;
        this.ctx = ctx;
        this.limit = Math.min(ctx.maxImageBytes(), target.maxRestoredBytes());
    }

    @Override
    public void accept(byte[] chunk) throws MigrationException {
        if (done) {
            throw new MigrationException("${strategyName}: a chunk after the restore ended");
        }
        if (count >= 0 && next >= count) {
            throw new MigrationException("${strategyName}: more than the " + count + " chunks announced");
        }
        byte[] payload = ImageChunks.payload(chunk, ctx, next, count);
        if (count < 0) {
            count = ImageChunks.count(chunk);
        }
        if ((long) received.size() + payload.length > limit + HEADER_ROOM) {
            throw new MigrationException("${strategyName}: the image grows over this node's limit of " + limit
                    + " bytes");
        }
        received.write(payload, 0, payload.length);
        next++;
    }

    @Override
    public void finish() throws MigrationException {
        if (done) {
            throw new MigrationException("${strategyName}: finished twice");
        }
        if (count < 0 || next != count) {
            throw new MigrationException("${strategyName}: " + next + " of " + (count < 0 ? "?" : count)
                    + " chunks arrived");
        }
        done = true;
        target.restoreImage(decode(received.toByteArray()));
    }

    @Override
    public void abort() {
        done = true;
        received.reset();
    }

    private AgentImage decode(byte[] bytes) throws MigrationException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            AgentType type = new AgentType(in.readUTF(), in.readUTF(), in.readLong());
            byte[][] segments = new byte[3][];
            long total = 0;
            for (int i = 0; i < 3; i++) {
                int length = in.readInt();
                if (length < 0 || length > in.available()) {
                    throw new MigrationException("${strategyName}: segment " + i + " declares " + length
                            + " bytes, " + in.available() + " remain");
                }
                total += length;
                if (total > limit) {
                    throw new MigrationException("${strategyName}: the image takes more than this node's limit of "
                            + limit + " bytes");
                }
                segments[i] = in.readNBytes(length);
            }
            if (in.available() != 0) {
                throw new MigrationException("${strategyName}: " + in.available() + " bytes after the image");
            }
            return new AgentImage(type, segments[0], segments[1], segments[2]);
        } catch (IOException e) {
            throw new MigrationException("${strategyName}: truncated image: " + e.getMessage(), e);
        }
    }
}
