/**
 * Crontainer Cron Plugin Package Version 1.1.
 *
 * <p>
 * Since 1.1: the service properties {@link io.crontainer.api.CronPlugin#RETRY},
 * {@link io.crontainer.api.CronPlugin#RETRY_DELAY} and {@link io.crontainer.api.CronPlugin#RETRY_MAX_DELAY}
 * (retry a failed window with backoff).
 *
 * <p>
 * The contract between a cron plugin and the Crontainer scheduler. A cron plugin is a service of type
 * {@link io.crontainer.api.CronPlugin}, usually a Declarative Services component, registered by any
 * bundle; the scheduler finds it by the whiteboard pattern and runs it on its interval, handing it the
 * run window it is responsible for.
 *
 * <p>
 * Bundles wishing to use this package must list the package in the Import-Package header of the
 * bundle's manifest. A bundle that implements {@link io.crontainer.api.CronPlugin} (a consumer of this
 * API) must use a consumer range:
 *
 * <pre>
 * Import-Package: io.crontainer.api; version="[1.0,2.0)"
 * </pre>
 *
 * bnd computes this range from the {@code @ConsumerType} annotation; nothing needs to be written by hand.
 */
@Export
@Version("1.1.0")
package io.crontainer.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
