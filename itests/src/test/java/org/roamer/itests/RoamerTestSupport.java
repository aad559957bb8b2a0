/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.itests;

import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.CoreOptions.when;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.inject.Inject;
import javax.security.auth.Subject;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Base class of the Pax Exam tests that run inside the assembled Roamer distribution
 * ({@code karaf-assembly}'s zip, unpacked under {@code target/exam/}).
 *
 * <p>A test class extends this class and either keeps the default {@link #config()} or composes its
 * own from the static option factories, for example:
 *
 * <pre>{@code
 * @Configuration
 * public Option[] config() {
 *     return options(roamerDistribution(), ephemeralRoamerPorts(),
 *             editConfigurationFilePut("etc/org.roamer.uss-c1.cfg", "strategy.preferred", "tern"));
 * }
 * }</pre>
 *
 * <p>The container boots once per test class ({@link PerClass}). The static factories run in the test
 * JVM (they read the system properties failsafe passes); the helpers ({@link #execute}, {@link
 * #awaitService}, ...) run inside the container.
 *
 * <p>Every Karaf port is moved out of the way of a Karaf already running on the machine (SSH on an
 * ephemeral port, RMI on free ports); {@link #ephemeralRoamerPorts()} does the same for Roamer's own
 * listeners. Use it in every test that lets the core start its nodes.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public abstract class RoamerTestSupport {
    /** The clusters of the distribution's default network (the network may know more: fake peers, other containers). */
    protected static final java.util.List<org.roamer.api.ClusterId> DEFAULT_CLUSTERS = java.util.List.of(
            org.roamer.api.ClusterId.of("c1"), org.roamer.api.ClusterId.of("c2"), org.roamer.api.ClusterId.of("c3"));
    /** The USS nodes of the distribution's default network. */
    protected static final java.util.List<String> DEFAULT_USS = java.util.List.of("uss-c1", "uss-c2", "uss-c3");

    /** The Location Server's factory configuration shipped in the distribution. */
    public static final String LOCATION_SERVER_CFG = "etc/org.roamer.location-ls1.cfg";

    /** The clusters of the default network shipped in the distribution. */
    public static final List<String> CLUSTERS = List.of("c1", "c2", "c3");

    /** The USS factory configurations shipped in the distribution, one per cluster. */
    public static final List<String> USS_CFGS = CLUSTERS.stream().map(c -> "etc/org.roamer.uss-" + c + ".cfg")
            .collect(Collectors.toUnmodifiableList());

    /** Symbolic-name prefix of every Roamer bundle. */
    public static final String ROAMER_BUNDLE_PREFIX = "org.roamer";

    /** How long a helper waits for the container to reach a state (bundles, services). */
    protected static final Duration AWAIT_TIMEOUT = Duration.ofSeconds(60);

    /** Default time limit of one {@link #execute(String...)} call. */
    protected static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private static final String KARAF_VERSION = "4.4.10";

    @Inject
    protected BundleContext bundleContext;

    /**
     * A failing test's message carries the container's log since the test began (its warnings and errors, and
     * the last lines): the runtime folder is deleted after the run, and a failure on a CI machine is otherwise
     * seen without the log that explains it.
     */
    @org.junit.Rule
    public final org.junit.rules.TestRule containerLogOnFailure = (statement,
            description) -> new org.junit.runners.model.Statement() {
                @Override
                public void evaluate() throws Throwable {
                    Path log = karafLog();
                    long start = log == null ? 0 : sizeOf(log);
                    try {
                        statement.evaluate();
                    } catch (org.junit.AssumptionViolatedException skipped) {
                        throw skipped;
                    } catch (Throwable failure) {
                        String logged = log == null
                                ? "--- no karaf.log found (karaf.data=" + System.getProperty("karaf.data")
                                        + ", karaf.log=" + System.getProperty("karaf.log") + ", cwd="
                                        + Paths.get("").toAbsolutePath()
                                        + ") ---"
                                : logSince(log, start);
                        AssertionError withLog = new AssertionError(failure + "\n" + logged); // no cause: Pax Exam reports the root one
                        withLog.setStackTrace(failure.getStackTrace());
                        throw withLog;
                    }
                }
            };

    private static Path karafLog() {
        return java.util.stream.Stream.of(System.getProperty("karaf.log"), dir("karaf.data", "log"),
                dir("karaf.base", "data/log"), dir("karaf.home", "data/log"))
                .filter(java.util.Objects::nonNull).map(d -> Paths.get(d, "karaf.log").toAbsolutePath())
                .filter(Files::isRegularFile).findFirst().orElse(null);
    }

    private static String dir(String property, String under) {
        String base = System.getProperty(property);
        return base == null ? null : base + "/" + under;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The warnings and errors the container logged from byte {@code start} on, then the log's last 60 lines
     * (which may begin before the test: the context of a failure).
     */
    static String logSince(Path log, long start) {
        try {
            List<String> lines = Files.readAllLines(log, java.nio.charset.StandardCharsets.UTF_8);
            List<String> during = new java.util.ArrayList<>();
            long offset = 0;
            boolean inWarning = false;
            for (String l : lines) {
                boolean entry = !l.isEmpty() && Character.isDigit(l.charAt(0)); // a new entry, not a stack trace line
                if (entry) {
                    inWarning = offset >= start && (l.contains("| WARN ") || l.contains("| ERROR "));
                }
                if (inWarning) {
                    during.add(l);
                }
                offset += l.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
            }
            List<String> tail = lines.stream().filter(l -> !l.contains("CommandExtension")).toList();
            return "--- karaf.log: warnings and errors during the test (the last 150 lines of them) ---\n"
                    + String.join("\n", during.subList(Math.max(0, during.size() - 150), during.size()))
                    + "\n--- karaf.log: the last 60 lines ---\n"
                    + String.join("\n", tail.subList(Math.max(0, tail.size() - 60), tail.size()));
        } catch (IOException | RuntimeException e) {
            return "--- karaf.log unreadable: " + e + " ---";
        }
    }

    /** The default configuration: the Roamer distribution as shipped, with isolated Karaf ports. */
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return options(roamerDistribution());
    }

    // ------------------------------------------------------------------ options (test JVM)

    /** The distribution with everything a test needs; compose further options after it. */
    public static Option roamerDistribution() {
        return composite(
                distribution(),
                java17ModuleOptions(),
                isolatedKarafPorts(),
                mavenRepositories(),
                testLibraries(),
                logLevel(LogLevel.INFO),
                failOnUnresolvedBundles(),
                systemTimeout(90_000),
                keepRuntimeFolderIfRequested());
    }

    /** Unpacks the assembled distribution zip (system property {@code roamer.distribution.zip}). */
    public static Option distribution() {
        File zip = new File(System.getProperty("roamer.distribution.zip",
                "target/distribution/roamer-karaf-assembly.zip"));
        if (!zip.isFile()) {
            throw new IllegalStateException("Roamer distribution not found at " + zip.getAbsolutePath()
                    + ": build it first (mvn -B verify from the repository root builds it and runs these tests)");
        }
        return composite(
                karafDistributionConfiguration()
                        .frameworkUrl("file:" + zip.getAbsolutePath())
                        .name("Roamer")
                        .karafVersion(KARAF_VERSION)
                        .unpackDirectory(new File("target/exam"))
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole());
    }

    /** The Java 9+ flags of {@code bin/karaf}; without them Karaf fails with NoClassDefFoundError: OsgiLocator. */
    public static Option java17ModuleOptions() {
        return vmOptions(
                "--add-reads=java.xml=java.logging",
                "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + KARAF_VERSION + ".jar",
                "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + KARAF_VERSION + ".jar",
                "--add-opens", "java.base/java.security=ALL-UNNAMED",
                "--add-opens", "java.base/java.net=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/java.util=ALL-UNNAMED",
                "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                "--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED",
                "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                "--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED",
                "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED");
    }

    /**
     * SSH on an ephemeral port and the (installable) JMX/RMI ports on free ports, so a test never
     * collides with a Karaf already running on this machine, nor with another test.
     */
    public static Option isolatedKarafPorts() {
        return composite(
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", "0"),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort",
                        Integer.toString(freePort())),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort",
                        Integer.toString(freePort())));
    }

    /**
     * Every default Roamer listener on an ephemeral loopback port: the Location Server listens on
     * {@code 127.0.0.1:0}, each USS on {@code 127.0.0.1:0}, and the USS {@code location.server} is empty
     * so the core uses the in-container Location Server's real bound address.
     */
    public static Option ephemeralRoamerPorts() {
        List<Option> edits = new ArrayList<>();
        edits.add(editConfigurationFilePut(LOCATION_SERVER_CFG, "listen", "127.0.0.1:0"));
        for (String uss : USS_CFGS) {
            edits.add(editConfigurationFilePut(uss, "listen", "127.0.0.1:0"));
            edits.add(editConfigurationFilePut(uss, "location.server", ""));
        }
        return composite(edits.toArray(new Option[0]));
    }

    /** Sets {@code key} to {@code value} in the configuration of every USS of the default network. */
    public static Option ussProperty(String key, String value) {
        return composite(
                USS_CFGS.stream().map(uss -> editConfigurationFilePut(uss, key, value)).toArray(Option[]::new));
    }

    /**
     * Karaf resolves Pax Exam's own bundles (and anything a test installs) from the build's local
     * Maven repository, else from Maven Central only.
     */
    public static Option mavenRepositories() {
        String localRepository = System.getProperty("org.ops4j.pax.url.mvn.localRepository",
                System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository"));
        String cfg = "etc/org.ops4j.pax.url.mvn.cfg";
        return composite(
                editConfigurationFilePut(cfg, "org.ops4j.pax.url.mvn.localRepository", localRepository),
                editConfigurationFilePut(cfg, "org.ops4j.pax.url.mvn.repositories",
                        System.getProperty("org.ops4j.pax.url.mvn.repositories",
                                "https://repo1.maven.org/maven2@id=central")),
                editConfigurationFilePut(cfg, "org.ops4j.pax.url.mvn.useFallbackRepositories", "false"));
    }

    /**
     * What the test classes use inside the container besides JUnit: Awaitility (with its Hamcrest 2)
     * and AssertJ (with its byte-buddy).
     */
    public static Option testLibraries() {
        return composite(
                mavenBundle("org.hamcrest", "hamcrest", System.getProperty("roamer.itest.hamcrest.version", "2.2")),
                mavenBundle("org.awaitility", "awaitility",
                        System.getProperty("roamer.itest.awaitility.version", "4.3.0")),
                mavenBundle("net.bytebuddy", "byte-buddy",
                        System.getProperty("roamer.itest.bytebuddy.version", "1.18.3")),
                mavenBundle("org.assertj", "assertj-core",
                        System.getProperty("roamer.itest.assertj.version", "3.27.7")));
    }

    /** Fails the test when a bundle of the container cannot be resolved. */
    public static Option failOnUnresolvedBundles() {
        return systemProperty("pax.exam.osgi.unresolved.fail").value("true");
    }

    /** Keeps {@code target/exam/<uuid>/} (logs, etc/) when {@code -Droamer.itest.keepRuntimeFolder=true}. */
    public static Option keepRuntimeFolderIfRequested() {
        return when(Boolean.getBoolean("roamer.itest.keepRuntimeFolder")).useOptions(keepRuntimeFolder());
    }

    /** A port free on the loopback interface right now (tiny race with other processes, fine for tests). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ helpers (in the container)

    /**
     * Runs Karaf console commands, in order, in one console session as an administrator, and returns
     * everything they printed (and the value a command returned, if any).
     *
     * @throws AssertionError if a command fails or they do not finish within {@link #COMMAND_TIMEOUT};
     *     the message carries the output so far
     */
    protected String execute(String... commands) {
        return execute(COMMAND_TIMEOUT, commands);
    }

    /** {@link #execute(String...)} with an explicit time limit. */
    protected String execute(Duration timeout, String... commands) {
        return executeAs(administrator(), timeout, commands);
    }

    /** {@link #execute(String...)} as another user: its roles decide which commands it may run. */
    protected String executeAs(Subject who, Duration timeout, String... commands) {
        SessionFactory sessionFactory = awaitService(SessionFactory.class);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "roamer-itest-console");
            thread.setDaemon(true);
            return thread;
        });
        Session session = sessionFactory.create(new ByteArrayInputStream(new byte[0]), out, out);
        Future<Void> run = executor.submit(() -> Subject.doAs(who, (PrivilegedExceptionAction<Void>) () -> {
            for (String command : commands) {
                Object result = session.execute(command);
                if (result != null) {
                    out.println(result);
                }
            }
            return null;
        }));
        try {
            run.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            throw new AssertionError("console " + Arrays.toString(commands) + " did not finish within " + timeout
                    + "; output so far:\n" + bytes.toString(StandardCharsets.UTF_8));
        } catch (ExecutionException e) {
            throw new AssertionError("console " + Arrays.toString(commands) + " failed: " + e.getCause()
                    + "\noutput:\n" + bytes.toString(StandardCharsets.UTF_8), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + Arrays.toString(commands), e);
        } finally {
            session.close();
            executor.shutdownNow();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A user of the viewer group (Karaf's roles viewer and ssh only). */
    protected static Subject viewer() {
        return new Subject(false, Set.of(new UserPrincipal("watcher"), new RolePrincipal("viewer"),
                new RolePrincipal("ssh")), Set.of(), Set.of());
    }

    private static Subject administrator() {
        return new Subject(false,
                Set.of(new UserPrincipal("itest"), new RolePrincipal("admin"), new RolePrincipal("manager"),
                        new RolePrincipal("viewer"), new RolePrincipal("systembundles")),
                Set.of(), Set.of());
    }

    /**
     * The sequence numbers delivered to a mobile, from a map of "mobile/sender" to sequence numbers that a
     * {@code DeliveryListener} filled; meant for tests with one sender per mobile.
     */
    protected static java.util.List<Long> deliveredTo(java.util.Map<String, java.util.List<Long>> delivered,
            String mobile) {
        return delivered.entrySet().stream().filter(e -> e.getKey().startsWith(mobile + "/"))
                .flatMap(e -> e.getValue().stream()).toList();
    }

    /** Waits (up to {@link #AWAIT_TIMEOUT}) for a service of the type and returns the highest ranked one. */
    protected <T> T awaitService(Class<T> type) {
        return awaitService(type, null, AWAIT_TIMEOUT);
    }

    /** Waits for a service of the type matching an LDAP filter such as {@code "(roamer.strategy=naive)"}. */
    protected <T> T awaitService(Class<T> type, String filter) {
        return awaitService(type, filter, AWAIT_TIMEOUT);
    }

    /** Waits for a service of the type matching the filter (may be {@code null}) within the timeout. */
    protected <T> T awaitService(Class<T> type, String filter, Duration timeout) {
        return await("service " + type.getName() + (filter == null ? "" : " " + filter))
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> lookupService(type, filter), Objects::nonNull);
    }

    /** Waits until no service of the type matching the filter (may be {@code null}) is registered. */
    protected void awaitNoService(Class<?> type, String filter, Duration timeout) {
        await("no service " + type.getName() + (filter == null ? "" : " " + filter))
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> serviceReferences(type, filter).isEmpty());
    }

    /** The highest ranked service of the type matching the filter, or {@code null}. */
    protected <T> T lookupService(Class<T> type, String filter) throws InvalidSyntaxException {
        return serviceReferences(type, filter).stream()
                .max(Comparator.naturalOrder())
                .map(bundleContext::getService)
                .orElse(null);
    }

    private <T> Collection<ServiceReference<T>> serviceReferences(Class<T> type, String filter)
            throws InvalidSyntaxException {
        return bundleContext.getServiceReferences(type, filter);
    }

    /**
     * Waits until Karaf has installed its boot features (its {@code BootFinished} service), after which
     * every boot bundle should settle ACTIVE.
     */
    protected void awaitBootFinished() {
        await("Karaf boot features installed")
                .atMost(AWAIT_TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> bundleContext.getServiceReference("org.apache.karaf.features.BootFinished") != null);
    }

    /** Waits until every bundle that is not a fragment is ACTIVE; returns those that are not, if it times out. */
    protected List<String> awaitAllBundlesActive() {
        awaitBootFinished();
        try {
            await("every bundle ACTIVE")
                    .atMost(AWAIT_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> bundlesNotActive().isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported by the caller's assertion with the bundles' names
        }
        return bundlesNotActive();
    }

    private List<String> bundlesNotActive() {
        return Stream.of(bundleContext.getBundles())
                .filter(b -> !isFragment(b) && b.getState() != Bundle.ACTIVE)
                .map(RoamerTestSupport::describe)
                .collect(Collectors.toList());
    }

    /** The installed bundles whose symbolic name starts with {@value #ROAMER_BUNDLE_PREFIX}. */
    protected List<Bundle> roamerBundles() {
        return Stream.of(bundleContext.getBundles())
                .filter(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith(ROAMER_BUNDLE_PREFIX))
                .collect(Collectors.toList());
    }

    /** Waits until every Roamer bundle, and at least {@code minimum} of them, is ACTIVE. */
    protected List<Bundle> awaitRoamerBundlesActive(int minimum) {
        return await("at least " + minimum + " Roamer bundles, all ACTIVE")
                .atMost(AWAIT_TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(this::roamerBundles,
                        bundles -> bundles.size() >= minimum
                                && bundles.stream().allMatch(b -> b.getState() == Bundle.ACTIVE));
    }

    /** True for fragments, which are RESOLVED at best, never ACTIVE. */
    protected static boolean isFragment(Bundle bundle) {
        return bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null;
    }

    /** A readable one-line state of a bundle, for assertion messages. */
    protected static String describe(Bundle bundle) {
        return bundle.getBundleId() + " " + bundle.getSymbolicName() + "/" + bundle.getVersion() + " "
                + stateName(bundle.getState());
    }

    /** The name of an OSGi bundle state. */
    protected static String stateName(int state) {
        switch (state) {
            case Bundle.UNINSTALLED :
                return "UNINSTALLED";
            case Bundle.INSTALLED :
                return "INSTALLED";
            case Bundle.RESOLVED :
                return "RESOLVED";
            case Bundle.STARTING :
                return "STARTING";
            case Bundle.STOPPING :
                return "STOPPING";
            case Bundle.ACTIVE :
                return "ACTIVE";
            default :
                return "STATE-" + state;
        }
    }
}
