import com.hazelcast.config.Config;
import com.hazelcast.config.SSLConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * Evidence for docs/directory.md: can an open-source Hazelcast member encrypt and authenticate its member
 * links? Starts one member with TLS asked for, on loopback, no multicast, no phone-home, and prints what
 * happens. Run by bench/directory-engines.sh (single-file source launch, Hazelcast from Maven Central).
 */
public class HazelcastTlsProbe {
    public static void main(String[] args) {
        System.setProperty("hazelcast.phone.home.enabled", "false");
        System.setProperty("hazelcast.logging.type", "none");
        Config c = new Config();
        c.setClusterName("roamer-probe-" + ProcessHandle.current().pid());
        c.getNetworkConfig().setPort(15701).setPortAutoIncrement(true);
        c.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        c.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
        c.getNetworkConfig().setSSLConfig(new SSLConfig().setEnabled(true));
        try {
            HazelcastInstance h = Hazelcast.newHazelcastInstance(c);
            System.out.println("RESULT member with TLS started: " + h.getCluster().getLocalMember());
            h.shutdown();
        } catch (RuntimeException e) {
            System.out.println("RESULT member with TLS refused: " + e.getClass().getName() + ": " + e.getMessage());
        }
        // and without TLS: the member starts, and any process reaching its port may join as a member
        c.getNetworkConfig().setSSLConfig(new SSLConfig().setEnabled(false));
        HazelcastInstance h = Hazelcast.newHazelcastInstance(c);
        System.out.println("RESULT member without TLS started: version " + h.getCluster().getClusterVersion()
                + ", security config enabled: " + h.getConfig().getSecurityConfig().isEnabled());
        h.shutdown();
    }
}
