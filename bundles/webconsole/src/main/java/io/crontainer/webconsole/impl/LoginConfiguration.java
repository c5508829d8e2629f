package io.crontainer.webconsole.impl;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The Web Console login: ConfigAdmin PID {@value #PID} ({@code etc/io.crontainer.webconsole.cfg}).
 */
@ObjectClassDefinition(name = "Crontainer Web Console login",
		description = "The one account of the Web Console. Without a password, one is generated at first start"
				+ " (see the README).")
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

	@AttributeDefinition(name = "Failed logins per minute",
			description = "After this many failed logins within a minute, every login is refused until the minute"
					+ " has passed (a brake on password guessing). Default 10.", min = "1")
	int login_failures_max() default 10;
}
