/**
 * Intervals: parsing crontab lines, their macros, {@code @every DURATION} and Quartz expressions, and
 * computing their fire times.
 *
 * <p>
 * {@link io.crontainer.scheduler.impl.interval.Intervals#parse Intervals.parse} reads an
 * interval; the {@link io.crontainer.scheduler.impl.interval.Interval} it returns gives the next
 * fire time after an instant, in the interval's zone, and an English description. What each form
 * means, what is refused and why, and where it differs from cronie, Quartz and cron-utils is
 * specified in one place, {@code bundles/scheduler/INTERVALS.md}; this package implements it, and
 * its tests check it against cronie's rules, Quartz's {@code CronExpression} and cron-utils.
 *
 * <p>
 * The parts: {@code CrontabParser} and {@code QuartzParser} turn fields into a {@code Schedule} (bit
 * sets and a {@code DayRule}); {@code CronInterval} walks the calendar in a zone with cronie's
 * daylight saving time policy; {@code Every} is {@code @every}, a period anchored to the epoch;
 * {@code Describer} writes the English; {@code JenkinsHash} gives the values of {@code H}.
 */
package io.crontainer.scheduler.impl.interval;
