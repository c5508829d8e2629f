/**
 * The runtime view: the {@code CronRuntime} service through which the shell, the web console and JMX
 * read and act. It gets the engine as {@link io.crontainer.scheduler.impl.engine.Operations} only,
 * builds DTOs from the copies it returns, and writes no field of the engine. Private to the scheduler
 * bundle.
 */
package io.crontainer.scheduler.impl.view;
