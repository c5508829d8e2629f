/**
 * Each run's log ({@code cron:log}): the engine marks a run's thread around the plugin call
 * ({@link io.crontainer.scheduler.impl.runlog.RunLogCapture}); the pax-logging appender service
 * {@link io.crontainer.scheduler.impl.runlog.RunLogAppender} keeps each line logged on a marked thread
 * in that run's bounded {@link io.crontainer.scheduler.impl.runlog.RunLogBuffer}; when the run ends,
 * the engine hands a snapshot of it to the state store with the run's history entry. A leaf: it calls
 * no other part of the scheduler. Private to the scheduler bundle.
 */
package io.crontainer.scheduler.impl.runlog;
