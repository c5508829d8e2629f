/**
 * Crontainer Runtime Package Version 1.4.
 *
 * <p>
 * The runtime view of the Crontainer scheduler: the {@link io.crontainer.api.runtime.CronRuntime}
 * service, through which the Gogo shell (and any other management agent) reads the scheduled cron
 * plugins as data transfer objects and acts on them. It plays the role that
 * {@code ServiceComponentRuntime} plays for Declarative Services (OSGi Compendium 112.9); and the
 * topics and properties of the events it posts through the OSGi Event Admin
 * ({@link io.crontainer.api.runtime.CronEvents}, since 1.3). Since 1.3 it also tells the state store's
 * state ({@link io.crontainer.api.runtime.StoreDTO}) and each plugin's missed fire times. Since 1.4 it
 * tells the log each run kept ({@link io.crontainer.api.runtime.CronLogDTO}), the engine's due queue and
 * commit times ({@link io.crontainer.api.runtime.EngineDTO}, {@link io.crontainer.api.runtime.CronRuntime#getEngine()}),
 * and reads the runs of many plugins in one call ({@link io.crontainer.api.runtime.CronRuntime#getHistories}); retries of failed windows
 * ({@link io.crontainer.api.runtime.Trigger#RETRY}, the retry fields of
 * {@link io.crontainer.api.runtime.CronJobDTO}), a pause's note: who paused a plugin, when and why
 * ({@link io.crontainer.api.runtime.CronRuntime#pause(String, String, String)}), this runtime's clock
 * skew against a cluster's database ({@link io.crontainer.api.runtime.StoreDTO#clockSkew}), and re-runs
 * ranges of past windows ({@link io.crontainer.api.runtime.CronRuntime#rerun},
 * {@link io.crontainer.api.runtime.RerunDTO}, {@link io.crontainer.api.runtime.Trigger#RERUN}).
 *
 * <p>
 * Bundles wishing to use this package must list the package in the Import-Package header of the
 * bundle's manifest. Only the scheduler implements {@link io.crontainer.api.runtime.CronRuntime}; a
 * bundle that only calls it (a consumer) must use a consumer range:
 *
 * <pre>
 * Import-Package: io.crontainer.api.runtime; version="[1.0,2.0)"
 * </pre>
 *
 * The provider of the service must use a provider range:
 *
 * <pre>
 * Import-Package: io.crontainer.api.runtime; version="[1.4,1.5)"
 * </pre>
 */
@Export
@Version("1.4.0")
package io.crontainer.api.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
