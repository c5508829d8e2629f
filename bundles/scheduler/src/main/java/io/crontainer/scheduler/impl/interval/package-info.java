/**
 * Intervals: parsing crontab and Quartz expressions and computing their fire times.
 *
 * <p>
 * {@link io.crontainer.scheduler.impl.interval.Intervals#parse Intervals.parse} reads an
 * interval; the {@link io.crontainer.scheduler.impl.interval.Interval} it returns gives the next
 * fire time after an instant, in the interval's zone, and an English description. What each form
 * means:
 *
 * <h2>Five fields: crontab (Vixie cron, as cronie implements it)</h2>
 * <p>
 * {@code minute hour day-of-month month day-of-week}, with the grammar of cronie's
 * {@code entry.c}: lists ({@code 1,15}), ranges ({@code 1-5}), steps after {@code *} or a range
 * ({@code *}{@code /15}, {@code 2-23/24}: a step larger than its range just gives the range start),
 * month and weekday names ({@code JAN}-{@code DEC}, {@code SUN}-{@code SAT}, any case, three
 * letters), day-of-week 0 and 7 both Sunday. When both day fields are restricted a day matches if
 * <em>either</em> matches; when either field starts with {@code *}, both must match (cronie's
 * {@code DOM_STAR}/{@code DOW_STAR}). As in cronie, a descending range ({@code FRI-MON}) and a step
 * after a single value ({@code 1/3}, which Kubernetes accepts as {@code 1-23/3}) are refused, with
 * the crontab spelling of what was probably meant. Two extensions:
 * <ul>
 * <li>{@code ?} (a whole field): the field's value at the time the schedule is created, in the
 * interval's zone; {@code ? * * * *} is hourly at the minute the plugin was picked up.</li>
 * <li>{@code H}, {@code H(a-b)}, {@code H/n}, {@code H(a-b)/n} (Jenkins): values derived from the
 * plugin name ({@code cron.name}) as Jenkins derives them from a job name: its MD5 digest seeds a
 * {@link java.util.Random} that gives each {@code H} in turn (see {@code JenkinsHash}). The same
 * name gives the same values on every host and restart. {@code H} alone in day-of-month ranges over
 * 1-28, in day-of-week over 0-6.</li>
 * </ul>
 * Unlike Jenkins, the macros below are cronie's fixed times, not hashed.
 *
 * <h2>Macros</h2>
 * <p>
 * {@code @yearly}/{@code @annually} ({@code 0 0 1 1 *}), {@code @monthly} ({@code 0 0 1 * *}),
 * {@code @weekly} ({@code 0 0 * * 0}), {@code @daily}/{@code @midnight} ({@code 0 0 * * *}),
 * {@code @hourly} ({@code 0 * * * *}), lower case as in cronie; {@code @reboot} fires once each time
 * the schedule starts and has no fire times.
 *
 * <h2>Six or seven fields: Quartz</h2>
 * <p>
 * {@code second minute hour day-of-month month day-of-week [year]} as Quartz's
 * {@code CronExpression} reads it (what Sling and Karaf users write): day-of-week 1 (SUN) to 7
 * (SAT), year 1970-2099, exactly one of day-of-month and day-of-week is {@code ?}; {@code L},
 * {@code L-n}, {@code LW}, {@code L-nW}, {@code nW} in day-of-month, also in lists
 * ({@code L,15}); {@code nL}, {@code n#k} (k 1-5) and {@code L} (Saturday) in day-of-week;
 * {@code a/n} from a to the end of the range; ranges that end before they start wrap around
 * ({@code 17-0} hours, {@code FRI-MON}). Checked against Quartz 2.5 itself
 * ({@code QuartzOracleTest}), with these deliberate differences: {@code #} combined with other
 * weekdays in a list, a step of 0, a letter after a number ({@code 15X}) and a year after 2099 are
 * refused (Quartz silently uses only the first weekday, reads 0 as 1, ignores the letter, takes
 * years up to the current one + 100); and {@code W} days follow Quartz's documentation where its
 * {@code getTimeAfter} does not (it keeps the hour it had reached when it moves to the weekday, and
 * after a weekday moved forward skips the rest of that day and the month's other {@code W} days).
 *
 * <p>
 * Dialects seen in the wild are decided so: Spring's, NCRONTAB's (Azure) and ofelia's six fields,
 * where {@code * *} or {@code ? ?} in the day fields means every day, are refused as Quartz refuses
 * them, with the Quartz spelling ({@code ... * ?}) in the message; AWS EventBridge's six fields
 * (minutes first, year last, e.g. {@code 0 10 * * ? *}) put {@code ?} where Quartz has hours or
 * months and are refused with the Quartz equivalent ({@code 0 0 10 * * ? *}). Nothing is guessed.
 *
 * <h2>Time zones and daylight saving time (cronie's policy)</h2>
 * <p>
 * Fields are matched against the local date-time in the interval's zone. A <em>fixed-time</em> job
 * (neither its minute nor its hour field starts with {@code *}; in Quartz {@code 0/n} counts as
 * {@code *}{@code /n}, as its documentation defines them equal) whose local time falls in a
 * spring-forward gap fires once, at the jump; in a fall-back overlap it fires once, at the first
 * pass. A <em>wildcard</em> job follows the wall clock: both passes of a repeated hour, nothing in
 * a gap. {@code next(after)} is strictly increasing in its result, so a scheduler that computes each
 * fire time from the previous one never runs an occurrence twice.
 *
 * <h2>Refusals</h2>
 * <p>
 * An interval that cannot be parsed, or that matches no date within 400 years (the Gregorian
 * cycle), such as {@code 0 0 31 2 *} (cronie accepts it and never runs it) or a Quartz year in the
 * past, is refused with an {@link io.crontainer.scheduler.impl.interval.InvalidIntervalException}
 * whose one-line message quotes it and says why.
 *
 * <h2>cron-utils</h2>
 * <p>
 * The package does not use cron-utils 9.2.1: its UNIX definition refuses cronie's macros and steps
 * larger than their range and has neither {@code H} nor start-time {@code ?}; its calculator
 * misses {@code L} in a list and wrap-around ranges in a list, is not monotonic in a fall-back
 * overlap and skips fixed-time jobs in a gap; its descriptions hide weekdays and the OR rule. Each
 * case is kept as a test ({@code CronUtilsDifferencesTest}) that will fail when cron-utils fixes it.
 */
package io.crontainer.scheduler.impl.interval;
