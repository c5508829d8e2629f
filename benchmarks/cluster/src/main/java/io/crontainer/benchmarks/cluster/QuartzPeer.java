package io.crontainer.benchmarks.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * Quartz 2.5.2 with its clustered JDBC JobStore, configured as its "Configure Clustering with JDBC-JobStore"
 * page shows ({@code JobStoreTX}, {@code PostgreSQLDelegate}, {@code isClustered}, check-in every 20 s,
 * misfire threshold 60 s, 25 threads), with connections as its DataSources page asks (at least the threads
 * plus three: 28, HikariCP, the {@code hikaricp} provider it ships) and batch acquisition as its main
 * configuration page advises when very many triggers fire at once ({@code batchTriggerAcquisitionMaxCount}
 * = the threads, which requires {@code acquireTriggersWithinLock}). One job per trigger, a
 * {@code CronTrigger} every second; the job is {@code @DisallowConcurrentExecution}, since Crontainer and
 * db-scheduler never run one job twice at once either.
 */
final class QuartzPeer {
	static final int THREADS = 25;

	static volatile Counter counter;

	private QuartzPeer() {
	}

	/** The no-op job; Quartz makes one per execution (public, with a public constructor). */
	@DisallowConcurrentExecution
	public static final class NoopJob implements Job {
		@Override
		public void execute(JobExecutionContext context) {
			counter.increment();
		}
	}

	static Properties configuration(String url, String name) {
		Properties p = new Properties();
		p.setProperty("org.quartz.scheduler.instanceName", "benchmark");
		p.setProperty("org.quartz.scheduler.instanceId", name);
		p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", Integer.toString(THREADS));
		p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
		p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(THREADS));
		p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
		p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
		p.setProperty("org.quartz.jobStore.useProperties", "false");
		p.setProperty("org.quartz.jobStore.dataSource", "db");
		p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
		p.setProperty("org.quartz.jobStore.isClustered", "true");
		p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "20000");
		p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
		p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
		p.setProperty("org.quartz.dataSource.db.provider", "hikaricp");
		p.setProperty("org.quartz.dataSource.db.driver", "org.postgresql.Driver");
		p.setProperty("org.quartz.dataSource.db.URL", url);
		p.setProperty("org.quartz.dataSource.db.user", "postgres");
		p.setProperty("org.quartz.dataSource.db.password", "");
		p.setProperty("org.quartz.dataSource.db.maxConnections", Integer.toString(THREADS + 3));
		return p;
	}

	static PeerMain.Instance start(String url, String name, int jobs, boolean seed, Counter counter)
			throws SchedulerException {
		QuartzPeer.counter = counter;
		Scheduler scheduler = new StdSchedulerFactory(configuration(url, name)).getScheduler();
		if (seed) {
			Map<JobDetail, Set<? extends Trigger>> all = new HashMap<>();
			for (int i = 0; i < jobs; i++) {
				JobDetail job = JobBuilder.newJob(NoopJob.class).withIdentity("noop-" + i).build();
				all.put(job, Set.of(TriggerBuilder.newTrigger().withIdentity("noop-" + i)
						.withSchedule(CronScheduleBuilder.cronSchedule(PeerMain.EVERY_SECOND)).build()));
			}
			scheduler.scheduleJobs(all, true);
		}
		scheduler.start();
		return () -> scheduler.shutdown(true);
	}
}
