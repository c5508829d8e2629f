package io.crontainer.itests.scheduler;

import static org.ops4j.pax.exam.cm.ConfigurationAdminOptions.newConfiguration;

import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.stream.Collectors;

import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.itests.support.Await;
import io.crontainer.itests.support.CrontainerOptions;

/** What the scheduler ITs share: the configuration, plugin registration and awaiting states. */
final class SchedulerSupport {
	static final String PID = "io.crontainer.scheduler";
	/** Every second: the ITs need real firing. */
	static final String EVERY_SECOND = "*/1 * * * * ?";

	private SchedulerSupport() {
	}

	/** The core feature, with a short grace, call time limit and re-check, so tests stay quick. */
	static Option[] options() {
		return new Option[] { CrontainerOptions.features("core"),
				newConfiguration(PID).put("shutdown.grace", 2L).put("call.timeout", 1L).put("recheck.interval", 2L).put("timezone", "UTC")
						.asOption() };
	}

	static ServiceRegistration<CronPlugin> register(BundleContext context, String name, CronPlugin plugin,
			Object... properties) {
		Hashtable<String, Object> table = new Hashtable<>();
		table.put(CronPlugin.NAME, name);
		for (int i = 0; i < properties.length; i += 2) {
			table.put((String) properties[i], properties[i + 1]);
		}
		return context.registerService(CronPlugin.class, plugin, table);
	}

	/** The current CronRuntime service; awaited, as the scheduler may be restarting. */
	static CronRuntime runtime(BundleContext context) throws InterruptedException {
		Await.until("the CronRuntime service", () -> context.getServiceReference(CronRuntime.class) != null);
		ServiceReference<CronRuntime> ref = context.getServiceReference(CronRuntime.class);
		return context.getService(ref);
	}

	static CronJobDTO awaitState(CronRuntime runtime, String name, JobState state) throws InterruptedException {
		Await.until(name + " " + state, () -> {
			CronJobDTO job = runtime.getJob(name);
			return job != null && job.state == state;
		}, () -> "Jobs: " + describe(runtime.getJobs()));
		return runtime.getJob(name);
	}

	/** The runs of a name, newest first, whether or not the plugin is live. */
	static List<CronRunDTO> history(CronRuntime runtime, String name) {
		return runtime.getHistory(null, 1000).stream().filter(r -> r.name.equals(name)).collect(Collectors.toList());
	}

	static String describe(List<CronJobDTO> jobs) {
		return jobs.stream().map(j -> j.name + "=" + j.state + (j.reason == null ? "" : " (" + j.reason + ")"))
				.collect(Collectors.joining(", "));
	}

	static String describeRuns(List<CronRunDTO> runs) {
		return Arrays.toString(runs.stream().map(r -> r.trigger + "/" + r.outcome + (r.error == null ? "" : ":" + r.error))
				.toArray());
	}
}
