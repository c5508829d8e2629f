package io.crontainer.console.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.Test;

class SessionKeeperTest {

	@Test
	void keepsTheLastSessionsThatRanACommand() throws Exception {
		ThreadIOImpl threadIO = new ThreadIOImpl();
		threadIO.start();
		CommandProcessorImpl processor = new CommandProcessorImpl(threadIO);
		SessionKeeper keeper = new SessionKeeper();
		processor.addListener(keeper);
		try {
			PrintStream out = new PrintStream(new ByteArrayOutputStream());
			for (int i = 0; i < SessionKeeper.KEPT + 5; i++) {
				processor.createSession(InputStream.nullInputStream(), out, out).execute("x = 1");
			}
			assertThat(SessionKeeper.kept()).isEqualTo(SessionKeeper.KEPT);
			processor.stop();
		} finally {
			threadIO.stop();
		}
	}
}
