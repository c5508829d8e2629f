package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one line that says why a start is not ready (on the distribution: {@code InstallationIT}). */
class ReadinessTest {

	@Test
	void aFailureIsToldByItsRootCause() {
		assertThat(Readiness.rootCause("org.osgi.service.component.ComponentException: boom\n\tat a.b(C.java:1)\n"
				+ "Caused by: java.io.IOException: outer\n\tat x\nCaused by: java.nio.file.FileAlreadyExistsException: /d/state\n"))
				.isEqualTo("java.nio.file.FileAlreadyExistsException: /d/state");
		assertThat(Readiness.rootCause("java.lang.IllegalStateException: only\n\tat a.b(C.java:1)\n"))
				.isEqualTo("java.lang.IllegalStateException: only");
	}
}
