/**
 * Crontainer State Store Package Version 1.1.
 *
 * <p>
 * The narrow interface through which the Crontainer scheduler keeps the run state of cron plugins
 * ({@link io.crontainer.store.api.StateStore}), and the service by which a bundle of its own brings
 * a store (a database) to it ({@link io.crontainer.store.api.StateStoreProvider}). Not part of the
 * plugin API ({@code io.crontainer.api}): plugins never see it.
 *
 * <p>
 * A store bundle implements the provider types of this package and must use a provider range:
 *
 * <pre>
 * Import-Package: io.crontainer.store.api; version="[1.1,1.2)"
 * </pre>
 */
@Export
@Version("1.1.0")
package io.crontainer.store.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
