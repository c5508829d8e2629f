/**
 * The scheduler as an OSGi component: the Declarative Services component that tracks the whiteboard
 * ({@code CronPlugin} services, Sling/Karaf-style {@code Runnable} services, store providers), reads
 * its configuration (metatype, ConfigAdmin PID {@code io.crontainer.scheduler}), selects the state
 * store, starts the engine's threads, registers the {@code CronRuntime} service with its
 * {@code service.changecount}, and posts the engine's events through Event Admin. The only package
 * that imports the OSGi framework and service APIs; it wires {@code engine}, {@code view},
 * {@code whiteboard} and {@code store}, and nothing depends on it. Private to the scheduler bundle.
 */
package io.crontainer.scheduler.impl.osgi;
