/**
 * What a whiteboard service is to the engine: a {@link io.crontainer.scheduler.impl.whiteboard.Plugin}
 * (the service and what its reference says) and its checked
 * {@link io.crontainer.scheduler.impl.whiteboard.Settings}, read from the {@code cron.*} properties of
 * a cron plugin or the {@code scheduler.*} properties of a Sling/Karaf-style {@code Runnable}
 * ({@link io.crontainer.scheduler.impl.whiteboard.SchedulerProperties},
 * {@link io.crontainer.scheduler.impl.whiteboard.RunnableJob}). Immutable values and pure functions:
 * no state, no lock, any thread. Depends on the plugin API and {@code interval} only. Private to the
 * scheduler bundle.
 */
package io.crontainer.scheduler.impl.whiteboard;
