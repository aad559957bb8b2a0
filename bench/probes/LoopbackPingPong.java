import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

/**
 * The floor under bench/network.sh: round trips of one small frame (default 128 bytes, about a MIGRATE) over
 * loopback TCP with TCP_NODELAY, between two threads of one JVM and between two JVMs. A migration is a chain of
 * such one-way hops (LS -> target, target -> source, source -> target, target -> LS), so the ratio of the two
 * round trips bounds what a network of containers can reach against one container on the same machine.
 *
 * <pre>
 *   java bench/probes/LoopbackPingPong.java same [rounds] [bytes]           both ends in this JVM
 *   java bench/probes/LoopbackPingPong.java echo PORT                         the far end (another JVM)
 *   java bench/probes/LoopbackPingPong.java ping PORT [rounds] [bytes]       measures against it
 * </pre>
 * Prints {@code RTT <mode> n N p50 X us p90 Y us p99 Z us}.
 *
 * <p>A migration is more than one round trip: each hop lands on a reader thread and is handed to the node's
 * own thread, which sends the next frame, and between hops the other processes sit idle. The ring modes send a
 * frame around three nodes that do just that (a blocking reader that hands each frame to a single-thread
 * executor, which writes it to the next node), twice around: six hops, about one NAIVE migration's chain.
 * <pre>
 *   java bench/probes/LoopbackPingPong.java ring-same [rounds]                three nodes in this JVM
 *   java bench/probes/LoopbackPingPong.java relay PORT NEXT                  one node (another JVM)
 *   java bench/probes/LoopbackPingPong.java ring PORT NEXT [rounds]          the measuring node
 * </pre>
 * The far nodes are started first ({@code relay 17101 17102}, {@code relay 17102 17100}, then
 * {@code ring 17100 17101}); each prints READY when it listens.
 */
public class LoopbackPingPong {
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: same [rounds] [bytes] | echo PORT | ping PORT [rounds] [bytes]");
            System.exit(2);
        }
        switch (args[0]) {
            case "same" -> {
                int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
                int bytes = args.length > 2 ? Integer.parseInt(args[2]) : 128;
                try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    Thread echo = new Thread(() -> {
                        try (Socket s = server.accept()) {
                            echo(s);
                        } catch (IOException e) {
                            // the pinging side closed the link: done
                        }
                    }, "echo");
                    echo.setDaemon(true);
                    echo.start();
                    ping("same-jvm", server.getLocalPort(), rounds, bytes);
                }
            }
            case "echo" -> {
                try (ServerSocket server = new ServerSocket(Integer.parseInt(args[1]), 1,
                        InetAddress.getLoopbackAddress())) {
                    System.out.println("READY");
                    try (Socket s = server.accept()) {
                        echo(s);
                    } catch (IOException e) {
                        // done
                    }
                }
            }
            case "ping" -> ping("two-jvms", Integer.parseInt(args[1]),
                    args.length > 2 ? Integer.parseInt(args[2]) : 20_000,
                    args.length > 3 ? Integer.parseInt(args[3]) : 128);
            case "ring-same" -> {
                int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
                ServerSocket a = listen(0);
                ServerSocket b = listen(0);
                ServerSocket c = listen(0);
                relay(b, c.getLocalPort());
                relay(c, a.getLocalPort());
                ring("same-jvm", a, b.getLocalPort(), rounds);
            }
            case "relay" -> {
                relay(listen(Integer.parseInt(args[1])), Integer.parseInt(args[2]));
                System.out.println("READY");
                Thread.currentThread().join(); // until killed
            }
            case "ring" -> {
                ServerSocket a = listen(Integer.parseInt(args[1]));
                ring("three-jvms", a, Integer.parseInt(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 5_000);
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static ServerSocket listen(int port) throws IOException {
        return new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
    }

    /** A node of the ring: frames read from its one inbound link go out to {@code next} from its own thread. */
    private static void relay(ServerSocket server, int next) {
        java.util.concurrent.ExecutorService own = java.util.concurrent.Executors.newSingleThreadExecutor();
        Thread reader = new Thread(() -> {
            try (Socket in = server.accept(); Socket out = connect(next)) {
                in.setTcpNoDelay(true);
                DataInputStream din = new DataInputStream(in.getInputStream());
                DataOutputStream dout = new DataOutputStream(out.getOutputStream());
                while (true) {
                    int n = din.readInt();
                    byte[] frame = new byte[n];
                    din.readFully(frame);
                    own.execute(() -> {
                        try {
                            dout.writeInt(n);
                            dout.write(frame);
                            dout.flush();
                        } catch (IOException e) {
                            own.shutdown();
                        }
                    });
                }
            } catch (IOException | InterruptedException e) {
                own.shutdown();
            }
        }, "relay-" + server.getLocalPort());
        reader.setDaemon(true);
        reader.start();
    }

    private static Socket connect(int port) throws IOException, InterruptedException {
        for (int i = 0; ; i++) {
            try {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                s.setTcpNoDelay(true);
                return s;
            } catch (IOException e) {
                if (i == 300) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** The measuring node: sends a 128-byte frame to {@code next} and times it twice around the ring. */
    private static void ring(String mode, ServerSocket server, int next, int rounds) throws Exception {
        System.out.println("READY");
        try (Socket out = connect(next); Socket in = server.accept()) {
            in.setTcpNoDelay(true);
            DataInputStream din = new DataInputStream(in.getInputStream());
            DataOutputStream dout = new DataOutputStream(out.getOutputStream());
            byte[] frame = new byte[128];
            long[] t = new long[rounds];
            int warm = Math.min(1_000, rounds);
            for (int i = -warm; i < rounds; i++) {
                long t0 = System.nanoTime();
                for (int lap = 0; lap < 2; lap++) {
                    dout.writeInt(frame.length);
                    dout.write(frame);
                    dout.flush();
                    int n = din.readInt();
                    din.readFully(frame, 0, n);
                }
                if (i >= 0) {
                    t[i] = System.nanoTime() - t0;
                }
                Thread.sleep(0, 200_000); // moves come one after another, not back to back
            }
            Arrays.sort(t);
            System.out.printf("HOPS6 %s n %d p50 %d us p90 %d us p99 %d us%n", mode, rounds,
                    t[rounds / 2] / 1000, t[(int) (rounds * 0.9)] / 1000, t[(int) (rounds * 0.99)] / 1000);
        }
        server.close();
    }

    private static void echo(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        byte[] buf = new byte[1 << 20];
        while (true) {
            int n = in.readInt();
            if (n < 0 || n > buf.length) {
                throw new IOException("bad length " + n);
            }
            in.readFully(buf, 0, n);
            out.writeInt(n);
            out.write(buf, 0, n);
            out.flush();
        }
    }

    private static void ping(String mode, int port, int rounds, int bytes) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] frame = new byte[bytes];
            long[] rtt = new long[rounds];
            int warm = Math.min(2_000, rounds);
            for (int i = -warm; i < rounds; i++) {
                long t0 = System.nanoTime();
                out.writeInt(bytes);
                out.write(frame);
                out.flush();
                int n = in.readInt();
                in.readFully(frame, 0, n);
                if (i >= 0) {
                    rtt[i] = System.nanoTime() - t0;
                }
            }
            Arrays.sort(rtt);
            System.out.printf("RTT %s n %d p50 %d us p90 %d us p99 %d us%n", mode, rounds,
                    rtt[rounds / 2] / 1000, rtt[(int) (rounds * 0.9)] / 1000, rtt[(int) (rounds * 0.99)] / 1000);
        }
    }
}
