package io.crontainer.console.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.Test;

class SessionKeeperTest {

	@Test
	void keepsTheLastSessionsThatRanACommand() throws Exception {
		ThreadIOImpl threadIO = new ThreadIOImpl();
		threadIO.start();
		CommandProcessorImpl processor = new CommandProcessorImpl(threadIO);
		processor.addListener(new SessionKeeper());
		List<CommandSession> sessions = new ArrayList<>();
		try {
			PrintStream out = new PrintStream(new ByteArrayOutputStream());
			for (int i = 0; i < SessionKeeper.KEPT + 5; i++) {
				CommandSession session = processor.createSession(InputStream.nullInputStream(), out, out);
				session.execute("x = 1");
				sessions.add(session);
			}
			assertThat(SessionKeeper.kept()).isEqualTo(SessionKeeper.KEPT);
		} finally {
			sessions.forEach(CommandSession::close);
			processor.stop();
			threadIO.stop();
		}
	}
}
