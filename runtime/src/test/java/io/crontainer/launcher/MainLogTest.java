package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The launcher's own log lines, before the framework's log service is there. */
class MainLogTest {

	@Test
	void controlCharactersOfAFileNameNeitherDriveTheTerminalNorForgeALine() {
		assertThat(Main.printable("bundle/x\u001b[2J\r\n2026 | INFO | forged\u0007.jar is not in conf/bundles.list"))
				.isEqualTo("bundle/x^[[2J\\r\\n2026 | INFO | forged?.jar is not in conf/bundles.list");
		assertThat(Main.printable("plain text, é and ✓ kept")).isEqualTo("plain text, é and ✓ kept");
	}
}
