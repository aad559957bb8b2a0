package ${package}.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import org.roamer.api.spi.migration.MigrationContext;
import org.roamer.api.spi.migration.MigrationException;

/**
 * The chunks "${strategyName}" sends: each says which migration it belongs to (its id and epoch, equal at both
 * ends), its place and the number of chunks, and ends with a CRC32C over all of it. A receiver so refuses a
 * corrupted chunk (any of them, not only the first), chunks of another capture spliced in, and a transfer of
 * another migration replayed.
 *
 * <pre>
 * chunk = magic u32 | migration id i64 | epoch i64 | index u32 | count u32 | payload length u32 | payload | crc32c u32
 * </pre>
 */
final class ImageChunks {
    static final int MAGIC = 0x52534b31; // "RSK1"
    static final int HEADER = 4 + 8 + 8 + 4 + 4 + 4;
    static final int TRAILER = 4;

    private ImageChunks() {
    }

    /** {@code bytes} cut into sealed chunks that each fit the migration's chunk limit. */
    static List<byte[]> split(byte[] bytes, MigrationContext ctx) throws MigrationException {
        int room = ctx.maxChunkBytes() - HEADER - TRAILER;
        if (room <= 0) {
            throw new MigrationException("chunks of " + ctx.maxChunkBytes() + " bytes leave no room for data");
        }
        int count = Math.max(1, (bytes.length + room - 1) / room);
        List<byte[]> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * room;
            int length = Math.min(room, bytes.length - from);
            ByteBuffer b = ByteBuffer.allocate(HEADER + length + TRAILER);
            b.putInt(MAGIC).putLong(ctx.migrationId()).putLong(ctx.epoch()).putInt(i).putInt(count).putInt(length);
            b.put(bytes, from, length);
            b.putInt(crc(b.array(), HEADER + length));
            chunks.add(b.array());
        }
        return chunks;
    }

    /**
     * The payload of chunk {@code index} of {@code count} of this migration, after checking everything it says.
     *
     * @param count the count the first chunk announced, or -1 for the first chunk
     * @return the payload; the count is in {@link #count(byte[])}
     */
    static byte[] payload(byte[] chunk, MigrationContext ctx, int index, int count) throws MigrationException {
        if (chunk == null || chunk.length < HEADER + TRAILER) {
            throw new MigrationException("chunk " + index + " too short: " + (chunk == null ? "none" : chunk.length)
                    + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(chunk);
        int length = b.getInt(HEADER - 4);
        if (length < 0 || length != chunk.length - HEADER - TRAILER) {
            throw new MigrationException("chunk " + index + ": payload length " + length + " does not match its "
                    + chunk.length + " bytes");
        }
        if (crc(chunk, HEADER + length) != b.getInt(HEADER + length)) {
            throw new MigrationException("chunk " + index + ": checksum mismatch (corrupted)");
        }
        if (b.getInt(0) != MAGIC) {
            throw new MigrationException("chunk " + index + ": not a ${strategyName} chunk");
        }
        if (b.getLong(4) != ctx.migrationId() || b.getLong(12) != ctx.epoch()) {
            throw new MigrationException("chunk " + index + " belongs to migration " + b.getLong(4) + " epoch "
                    + b.getLong(12) + ", not to this one (" + ctx.migrationId() + " epoch " + ctx.epoch() + ")");
        }
        if (b.getInt(20) != index) {
            throw new MigrationException("chunk " + b.getInt(20) + " came where chunk " + index + " was expected");
        }
        int announced = b.getInt(24);
        if (announced <= 0 || count >= 0 && announced != count) {
            throw new MigrationException("chunk " + index + " announces " + announced + " chunks"
                    + (count >= 0 ? ", the first announced " + count : ""));
        }
        return Arrays.copyOfRange(chunk, HEADER, HEADER + length);
    }

    /** The number of chunks a chunk announces (checked by {@link #payload}). */
    static int count(byte[] chunk) {
        return ByteBuffer.wrap(chunk).getInt(24);
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, length);
        return (int) c.getValue();
    }
}
