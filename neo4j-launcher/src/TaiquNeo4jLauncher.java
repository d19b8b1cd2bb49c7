import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Starts Neo4j Community in-process with Bolt on a loopback port, for tests and benchmarks.
 *
 * Usage: TaiquNeo4jLauncher HOME_DIR PORT [PAGECACHE_MB]
 * Prints "TAIQU-NEO4J-READY bolt://127.0.0.1:PORT" once Bolt is listening and stays up until it
 * is sent SIGTERM or its standard input closes (so it dies with the process that started it).
 */
public final class TaiquNeo4jLauncher {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TaiquNeo4jLauncher HOME_DIR PORT [PAGECACHE_MB]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        long pageCacheMb = args.length > 2 ? Long.parseLong(args[2]) : 256;

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                // Loopback only: auth is off, so the port must not be reachable from elsewhere.
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCacheMb * 1024 * 1024)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                .build();

        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stop.countDown();
        }));
        System.out.println("TAIQU-NEO4J-READY bolt://127.0.0.1:" + port);
        System.out.flush();

        // Parent gone (stdin closed) -> exit, which runs the shutdown hook.
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // ignore input
                }
            } catch (Exception ignored) {
                // treat as closed
            }
            System.exit(0);
        });
        watcher.setDaemon(true);
        watcher.start();
        stop.await();
    }
}
