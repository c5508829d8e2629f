package io.crontainer.benchmarks.cluster;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * One instance of a peer scheduler, a plain JVM started by {@link PeerBenchmark}:
 * {@code PeerMain <peer> <JDBC URL> <instance name> <jobs> <counter file> <seed|join>}, where peer is
 * {@code db-scheduler-fetch}, {@code db-scheduler-lock-and-fetch} or {@code quartz}. It schedules {@code jobs}
 * no-op recurring jobs due every second (the first instance, {@code seed}, creates them where the peer
 * keeps them in its tables; the others {@code join}), counts their executions in {@link Counter}, and
 * runs until the process gets SIGTERM, when it stops its scheduler.
 */
public final class PeerMain {
	/** The interval of every job: every second (6 fields, seconds first). */
	static final String EVERY_SECOND = "* * * * * ?";

	/** What every peer instance provides: started in {@link #start}, stopped from the shutdown hook. */
	interface Instance {
		void stop() throws Exception;
	}

	private PeerMain() {
	}

	public static void main(String[] args) throws Exception {
		String peer = args[0];
		String url = args[1];
		String name = args[2];
		int jobs = Integer.parseInt(args[3]);
		Counter counter = Counter.writingTo(Path.of(args[4]));
		boolean seed = "seed".equals(args[5]);
		Instance instance = switch (peer) {
			case "db-scheduler-fetch" -> DbSchedulerPeer.start(url, name, jobs, false, counter);
			case "db-scheduler-lock-and-fetch" -> DbSchedulerPeer.start(url, name, jobs, true, counter);
			case "quartz" -> QuartzPeer.start(url, name, jobs, seed, counter);
			default -> throw new IllegalArgumentException("unknown peer '" + peer + "'");
		};
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			try {
				instance.stop();
			} catch (Exception e) {
				e.printStackTrace();
			}
			stopped.countDown();
		}, "peer-stop"));
		stopped.await();
	}
}
