package io.crontainer.benchmarks.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * db-scheduler 16.7.1 as its README and {@code docs/performance.md} advise for this load: one static
 * recurring task per job ({@code Tasks.recurring}, Spring-style cron every second), started with
 * {@code startTasks} on every instance (each schedules what is not yet in {@code scheduled_tasks});
 * 20 threads (the smallest configuration of its published benchmark); polling every second (as its
 * {@code CronMain} example for second-level cron does; the default is 10 s); polling strategy {@code fetch}
 * with the README's defaults (0.5, 3.0), or {@code lock-and-fetch} with the README's values "for high
 * throughput" (1.0, 4.0). Connections: HikariCP, 23 at most (threads + 3, the rule Quartz documents; db-scheduler
 * gives none).
 */
final class DbSchedulerPeer {
	static final int THREADS = 20;

	private DbSchedulerPeer() {
	}

	static PeerMain.Instance start(String url, String name, int jobs, boolean lockAndFetch, Counter counter) {
		HikariConfig pool = new HikariConfig();
		pool.setJdbcUrl(url);
		pool.setUsername("postgres");
		pool.setMaximumPoolSize(THREADS + 3);
		HikariDataSource dataSource = new HikariDataSource(pool);
		List<RecurringTask<Void>> tasks = new ArrayList<>();
		for (int i = 0; i < jobs; i++) {
			tasks.add(Tasks.recurring("noop-" + i, Schedules.cron("* * * * * *")).execute((instance, context) -> counter.increment()));
		}
		SchedulerBuilder builder = Scheduler.create(dataSource).startTasks(tasks).threads(THREADS)
				.pollingInterval(Duration.ofSeconds(1)).schedulerName(new SchedulerName.Fixed(name));
		if (lockAndFetch) {
			builder.pollUsingLockAndFetch(1.0, 4.0);
		} else {
			builder.pollUsingFetchAndLockOnExecute(0.5, 3.0);
		}
		Scheduler scheduler = builder.build();
		scheduler.start();
		return () -> {
			scheduler.stop();
			dataSource.close();
		};
	}
}
