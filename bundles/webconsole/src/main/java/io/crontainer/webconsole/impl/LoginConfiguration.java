package io.crontainer.webconsole.impl;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The Web Console login: ConfigAdmin PID {@value #PID} ({@code etc/io.crontainer.webconsole.cfg}).
 */
@ObjectClassDefinition(name = "Crontainer Web Console login",
		description = "The one account of the Web Console, and who may read /system/health and /metrics. Without a"
				+ " password, one is generated at first start (see the README).")
@interface LoginConfiguration {
	/** The configuration PID. */
	String PID = "io.crontainer.webconsole";

	@AttributeDefinition(name = "User name", description = "The user name to log in with. Default: admin.")
	String username() default "admin";

	@AttributeDefinition(name = "Password", type = AttributeType.PASSWORD,
			description = "A hash printed by 'java -cp bundle/io.crontainer.webconsole.jar"
					+ " io.crontainer.webconsole.impl.PasswordTool' ({pbkdf2}...), or the password in clear text"
					+ " (discouraged: logged as a warning). Empty: a random password is generated at first start,"
					+ " its hash kept in data/web/, and the password itself written to data/web/initial-password"
					+ " (readable by its owner only; deleted at the first login).")
	String password() default "";

	@AttributeDefinition(name = "Session timeout (min)",
			description = "Minutes without a request after which a login session ends. Default 30.", min = "1")
	int session_timeout_minutes() default 30;

	@AttributeDefinition(name = "Failed logins before a wait",
			description = "After this many failed logins in a row from one source (a client address, or a browser"
					+ " that has logged in before), that source waits 1 s before its next attempt, twice as long after"
					+ " each further failure, up to 60 s; answered 429 with Retry-After meanwhile. Default 10.", min = "1")
	int login_failures_max() default 10;

	@AttributeDefinition(name = "Access to /system/health and /metrics",
			description = "open: anyone who reaches the port (loopback by default) may read them; login: only with"
					+ " the console's user name and password (HTTP Basic, as a browser or Prometheus' basic_auth sends"
					+ " them); token: only with 'Authorization: Bearer TOKEN', TOKEN being the content of"
					+ " endpoints.token.file (Prometheus' authorization.credentials_file). Default: open.",
			options = { @Option(value = "open", label = "open"), @Option(value = "login", label = "login"),
					@Option(value = "token", label = "token") })
	String endpoints_access() default "open";

	@AttributeDefinition(name = "Token file",
			description = "The file whose content (one line, at least 16 characters) is the bearer token for"
					+ " endpoints.access = token. It must exist, belong to the runtime's user (or root) and be closed to"
					+ " other users (600, or 640 to share it with a group), else nothing is served. Empty:"
					+ " data/web/endpoints.token, made with a random token, owner-only, if it does not exist.")
	String endpoints_token_file() default "";

	@AttributeDefinition(name = "Allowed host names",
			description = "Names besides localhost, IP addresses and org.apache.felix.http.host by which browsers may"
					+ " reach the console, /system/health and /metrics (a reverse proxy's or the machine's name),"
					+ " comma-separated, any port. A request whose Host header names anything else is answered 421:"
					+ " that stops DNS rebinding, by which a web page could read them through a local browser."
					+ " Default: none.")
	String[] allowed_hosts() default {};
}
