package io.crontainer.shell.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.Test;

/**
 * {@code help cron:xxx} explains every command: each function and each parameter has a descriptor (but the
 * session, which Gogo passes itself).
 */
class DescriptorTest {
	static final List<Method> COMMANDS = Arrays.stream(CronCommands.class.getDeclaredMethods())
			.filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
			.collect(Collectors.toList());

	@Test
	void everyCommandAndParameterHasADescriptor() {
		assertThat(COMMANDS).isNotEmpty().allSatisfy(m -> {
			assertThat(m.getAnnotation(Descriptor.class)).as(m.toString()).isNotNull();
			// A CommandSession parameter is Gogo's to fill in; help does not list it.
			assertThat(m.getParameters()).filteredOn(p -> p.getType() != CommandSession.class).allSatisfy(
					p -> assertThat(p.getAnnotation(Descriptor.class)).as(m + " " + p).isNotNull());
		});
	}

	@Test
	void theServicePropertiesNameEveryCommandAndNothingElse() throws Exception {
		String xml = Files.readString(Path.of("target/classes/OSGI-INF/io.crontainer.shell.impl.CronCommands.xml"));
		assertThat(xml).contains("<property name=\"osgi.command.scope\" type=\"String\" value=\"cron\"/>");
		Matcher functions = Pattern.compile("name=\"osgi.command.function\" type=\"String\">([^<]*)<").matcher(xml);
		assertThat(functions.find()).isTrue();
		Set<String> declared = new TreeSet<>(Arrays.asList(functions.group(1).strip().split("\\s+")));
		Set<String> methods = COMMANDS.stream().map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
		assertThat(declared).isEqualTo(methods)
				.containsExactlyInAnyOrder("list", "info", "fire", "history", "log", "pause", "resume", "reset", "rerun",
						"next", "names");
	}
}
