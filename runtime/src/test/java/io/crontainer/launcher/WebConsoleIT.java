package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The "Cron jobs" page of the shipped distribution in a real browser: headless Chromium driven by
 * Selenium logs in with the password generated at first start (a wrong one is refused first), sees the
 * plugins, fires one and sees its run in the history, pauses and resumes it, resets it after the
 * confirmation; the timeline of its runs draws what the history lists; a cross-site POST is refused, a
 * foreign {@code Host} header (DNS rebinding) too, and {@code /system/health} answers without login.
 * Screenshots go to {@code runtime/target/screenshots/}: {@code timeline.png} is the detail page's timeline alone (the
 * SVG element), {@code timeline-strip.png} a strip of the list, {@code run-log.png} a run's log, the others whole
 * pages.
 *
 * <p>
 * Runs wherever a Chromium and its driver are found ({@code /usr/bin/chromium} and
 * {@code /usr/bin/chromedriver}, as Debian's {@code chromium} and {@code chromium-driver} install them, or
 * {@code CHROME_BIN} and {@code CHROMEDRIVER}). Otherwise it is skipped, unless the environment sets
 * {@code CRONTAINER_REQUIRE_BROWSER=1} (CI does): then it fails.
 */
class WebConsoleIT {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);
	/** How long the browser may take to load a page: far below the WebDriver's own 3 minutes. */
	private static final Duration PAGE_LOAD = Duration.ofSeconds(30);
	private static final Pattern CONSOLE_URL = Pattern.compile("Web console: (http://127\\.0\\.0\\.1:\\d+)/system/console/cronjobs");

	@TempDir
	Path tmp;

	private Path home;
	private Process process;
	private Path output;
	private WebDriver browser;

	@BeforeEach
	void start() throws Exception {
		home = Distributions.unpack(tmp);
		output = tmp.resolve("output.txt");
		ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/crontainer").toString()).directory(tmp.toFile())
				.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).redirectErrorStream(true)
				.redirectOutput(output.toFile());
		pb.environment().put("JAVA_OPTS", DistributionIT.EPHEMERAL_HTTP_PORT);
		process = pb.start();
	}

	@AfterEach
	void stop() throws InterruptedException {
		if (browser != null) {
			browser.quit();
		}
		if (process != null && process.isAlive()) {
			process.destroy();
			if (!process.waitFor(15, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void cronJobsPageInABrowser() throws Exception {
		browser = browser();
		String base = consoleBase();
		String page = base + "/system/console/cronjobs";
		Path passwordFile = home.resolve("data/web/initial-password");
		await("the generated password", () -> !read(passwordFile).isBlank());
		String password = Files.readString(passwordFile).strip();
		assertThat(password).hasSize(20);
		assertThat(Files.readString(home.resolve("data/web/password.hash"))).startsWith("{pbkdf2}")
				.doesNotContain(password);

		// Login required; a wrong password is refused.
		browser.get(page);
		logIn("admin", "admin");
		assertThat(text(By.id("login-error"))).isEqualTo("Wrong user name or password.");
		assertThat(browser.findElements(By.id("cron-jobs"))).isEmpty();
		logIn("admin", password);

		// The plugins, with the columns of cron:list.
		waitFor(By.id("cron-jobs"));
		org.openqa.selenium.Cookie session = browser.manage().getCookieNamed("JSESSIONID");
		assertThat(session.getSameSite()).isEqualTo("Strict");
		assertThat(session.isHttpOnly()).isTrue();
		assertThat(Files.exists(passwordFile)).as("initial password file deleted at the first login").isFalse();
		List<String> headers = browser.findElements(By.cssSelector("#cron-jobs thead th")).stream()
				.map(WebElement::getText).toList();
		assertThat(headers).containsSubsequence("Name", "State", "Interval", "Zone", "Next fire", "Left",
				"Last window end", "Last run", "Took", "Missed", "Recent runs", "Bundle", "Reason", "Actions");
		assertThat(row("file-janitor").findElement(By.className("missed")).getText()).as("a disabled plugin misses none")
				.isEqualTo("0");
		assertThat(browser.findElements(By.cssSelector("#cron-jobs tbody tr")).stream()
				.map(r -> r.getAttribute("data-name")).toList())
				.contains("heartbeat", "token-cleaner", "file-janitor");
		WebElement heartbeat = row("heartbeat");
		await("heartbeat SCHEDULED", () -> row("heartbeat").findElement(By.className("state")).getText()
				.startsWith("SCHEDULED") || reload());
		assertThat(row("heartbeat").findElement(By.className("interval")).getText()).isEqualTo("* * * * *");
		assertThat(row("file-janitor").findElement(By.className("state")).getText()).isEqualTo("DISABLED");
		screenshot("cron-jobs-list");

		// Its detail page. Paused first, so that its every-minute schedule never races the actions below.
		row("heartbeat").findElement(By.cssSelector("td.name a")).click();
		waitFor(By.id("job-name"));
		assertThat(text(By.id("job-name"))).isEqualTo("heartbeat");
		assertThat(browser.findElements(By.cssSelector("#next-fire-times li"))).hasSize(5);
		assertThat(text(By.id("properties"))).contains("cron.name").contains("heartbeat");
		assertThat(text(By.cssSelector("#job tr.description td"))).isNotBlank();
		click(By.cssSelector("div.actions button[value='pause']"));
		assertThat(text(By.id("message"))).startsWith("Paused heartbeat");
		assertThat(text(By.cssSelector("#job tr.state td"))).isEqualTo("PAUSED");

		// Fire it: its run appears in the history.
		assertThat(browser.findElements(By.cssSelector("#history tr[data-trigger='MANUAL']"))).isEmpty();
		click(By.cssSelector("div.actions button[value='fire']"));
		assertThat(text(By.id("message"))).startsWith("Fired heartbeat: SUCCEEDED");
		assertThat(browser.findElements(By.cssSelector("#history tr[data-trigger='MANUAL'][data-outcome='SUCCEEDED']")))
				.hasSize(1);
		screenshot("cron-job-detail");

		// The timeline draws the same runs as the history: one mark each, titled with its outcome and start.
		WebElement timeline = waitFor(By.cssSelector("svg#timeline"));
		assertThat(timeline.getAttribute("role")).isEqualTo("img");
		assertThat(textContent(timeline.findElement(By.tagName("title")))).startsWith("Timeline of the last ")
				.contains(" of heartbeat: ");
		assertThat(browser.findElements(By.cssSelector("svg#timeline g.run")))
				.hasSize(browser.findElements(By.cssSelector("#history tbody tr")).size());
		List<WebElement> manual = browser.findElements(
				By.cssSelector("svg#timeline g.run[data-trigger='MANUAL'][data-outcome='SUCCEEDED']"));
		assertThat(manual).hasSize(1);
		String started = text(By.cssSelector("#history tr[data-trigger='MANUAL'] td.started"));
		assertThat(textContent(manual.get(0).findElement(By.tagName("title"))))
				.startsWith("SUCCEEDED (MANUAL), started " + started + ", took ");
		assertThat(manual.get(0).findElement(By.tagName("rect")).getSize().getWidth()).as("drawn").isPositive();
		screenshot("timeline-page");
		// The picture itself, kept as a build output: target/screenshots/timeline.png
		Path png = elementScreenshot(timeline, "timeline");
		java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
		assertThat(image.getWidth()).as("the timeline's width in the picture").isGreaterThan(200);
		assertThat(image.getHeight()).isGreaterThan(20);
		assertThat(text(By.cssSelector("#job tr.missed td"))).startsWith("0: fire times whose run did not start");

		// Each run links to its log: the line the heartbeat logged while it ran, and a way back.
		click(By.cssSelector("#history tr[data-trigger='MANUAL'] td.log a"));
		assertThat(text(By.id("log-title"))).startsWith("Log of the run of heartbeat started ");
		assertThat(text(By.id("log-summary"))).isEqualTo("1 line.");
		assertThat(text(By.cssSelector("#log tr.line td.level"))).isEqualTo("INFO");
		assertThat(text(By.cssSelector("#log tr.line td.logger"))).isEqualTo("io.crontainer.examples.heartbeat.Heartbeat");
		assertThat(text(By.cssSelector("#log tr.line td.message"))).startsWith("Heartbeat: ");
		screenshot("run-log");
		click(By.id("back-to-job"));
		assertThat(text(By.id("job-name"))).isEqualTo("heartbeat");
		// A small strip per plugin on the list, with the same run.
		browser.get(page);
		assertThat(row("heartbeat").findElements(
				By.cssSelector("td.timeline svg g.run[data-trigger='MANUAL'][data-outcome='SUCCEEDED']"))).hasSize(1);
		assertThat(textContent(row("file-janitor").findElement(By.cssSelector("td.timeline svg title"))))
				.isEqualTo("No runs of file-janitor yet.");
		screenshot("timeline-list");
		elementScreenshot(row("heartbeat").findElement(By.cssSelector("td.timeline svg")), "timeline-strip");
		browser.get(page + "?name=heartbeat");

		// Pages of another origin (another port of 127.0.0.1: the same "site", so the Strict cookie goes along)
		// try every console form with the operator's session: nothing happens.
		crossOriginAttacks(base, home);
		browser.get(page + "?name=heartbeat");

		// A re-run lists its windows first (a GET), then starts from its confirmation (a POST with the token).
		click(By.id("rerun-link"));
		WebElement fromField = waitFor(By.id("from"));
		String to = browser.findElement(By.id("to")).getAttribute("value");
		fromField.sendKeys("2026-01-01T00:00Z");
		browser.findElement(By.cssSelector("input[name='split'][value='once']")).click();
		click(By.id("rerun-list"));
		assertThat(browser.findElements(By.cssSelector("#rerun-windows tbody tr"))).hasSize(1);
		assertThat(to).isNotBlank();
		click(By.id("confirm-rerun"));
		assertThat(text(By.id("message"))).startsWith("Re-running heartbeat: 1 window of [2026-01-01T00:00Z");
		assertThat(text(By.cssSelector("#job tr.rerun td"))).as("its window waits: heartbeat is paused")
				.startsWith("in progress: 0 of 1 window done, 0 failed, 1 left").endsWith("waiting: the plugin is PAUSED");
		click(By.cssSelector("div.actions button[value='cancel-rerun']"));
		assertThat(text(By.id("message"))).isEqualTo("Cancelled the re-run of heartbeat.");
		assertThat(text(By.cssSelector("#job tr.rerun td"))).startsWith("cancelled: 0 of 1 window done");
		assertThat(browser.findElements(By.cssSelector("#history tr[data-trigger='RERUN']"))).isEmpty();
		screenshot("rerun");

		// Reset asks first; cancel keeps everything, confirming resets (and keeps the pause).
		click(By.cssSelector("div.actions a.reset"));
		assertThat(text(By.id("job-name"))).isEqualTo("Reset heartbeat?");
		click(By.id("cancel-reset"));
		assertThat(text(By.id("job-name"))).isEqualTo("heartbeat");
		assertThat(text(By.cssSelector("#job tr.last-window-end td"))).doesNotStartWith("none");
		click(By.cssSelector("div.actions a.reset"));
		WebElement since = waitFor(By.id("since"));
		since.clear();
		since.sendKeys("2999-01-01T00:00Z");
		click(By.id("confirm-reset"));
		assertThat(text(By.id("message"))).as("a window start in the future is refused")
				.startsWith("Refused: ").contains("future");
		assertThat(text(By.cssSelector("#job tr.last-window-end td"))).doesNotStartWith("none");
		click(By.cssSelector("div.actions a.reset"));
		since = waitFor(By.id("since"));
		since.clear();
		click(By.id("confirm-reset"));
		assertThat(text(By.id("message"))).as("an empty field asks for the shell's --force")
				.startsWith("Refused: heartbeat is PAUSED, not BLOCKED: a reset without a start would rewind its window");
		assertThat(text(By.cssSelector("#job tr.last-window-end td"))).doesNotStartWith("none");
		click(By.cssSelector("div.actions a.reset"));
		since = waitFor(By.id("since"));
		since.clear();
		browser.findElement(By.id("force")).click();
		click(By.id("confirm-reset"));
		assertThat(text(By.id("message"))).startsWith("Reset heartbeat: its next window starts at 1970-01-01T00:00:00Z");
		assertThat(text(By.cssSelector("#job tr.last-window-end td"))).startsWith("none");
		assertThat(text(By.cssSelector("#job tr.state td"))).isEqualTo("PAUSED");

		// Resume it.
		click(By.cssSelector("div.actions button[value='resume']"));
		assertThat(text(By.id("message"))).startsWith("Resumed heartbeat: SCHEDULED, next fire ");
		assertThat(text(By.cssSelector("#job tr.state td"))).isEqualTo("SCHEDULED");

		// An unknown name is answered with the known ones.
		browser.get(page + "?name=nope");
		assertThat(text(By.id("message"))).isEqualTo(
				"Unknown cron plugin \"nope\"; known: file-janitor, heartbeat, token-cleaner.");

		// A POST from another site is refused, even with the session's cookie and token.
		String cookie = "JSESSIONID=" + browser.manage().getCookieNamed("JSESSIONID").getValue();
		browser.get(page);
		String token = browser.findElement(By.name("_csrf")).getAttribute("value");
		HttpClient http = HttpClient.newHttpClient();
		HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(page))
				.header("Cookie", cookie).header("Origin", "http://attacker.example")
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("_csrf=" + token + "&name=heartbeat&action=pause")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(forged.statusCode()).isEqualTo(403);
		assertThat(forged.body()).contains("Refused: the request came from another site");
		HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create(page)).header("Cookie", cookie)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("name=heartbeat&action=pause")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(noToken.statusCode()).isEqualTo(403);
		assertThat(noToken.body()).contains("no valid CSRF token");
		HttpResponse<String> withToken = http.send(HttpRequest.newBuilder(URI.create(page)).header("Cookie", cookie)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("_csrf=" + token + "&name=heartbeat&action=pause")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(withToken.statusCode()).as("a client without Origin, with the token").isEqualTo(303);
		browser.get(page + "?name=heartbeat");
		assertThat(text(By.cssSelector("#job tr.state td"))).isEqualTo("PAUSED");
		click(By.cssSelector("div.actions button[value='resume']"));

		// Felix's own pages post from the console by script (no token): the same-origin Origin suffices.
		browser.get(base + "/system/console/configMgr");
		Object status = ((org.openqa.selenium.JavascriptExecutor) browser).executeAsyncScript(
				"const done = arguments[arguments.length - 1];"
						+ "fetch('/system/console/configMgr/io.crontainer.test.own', {method: 'POST', body: new URLSearchParams("
						+ "{apply: 'true', action: 'ajaxConfigManager', propertylist: 'a', a: 'b'})})"
						+ ".then(r => done(r.status), e => done(String(e)));");
		assertThat(status).isEqualTo(200L);
		await("the console's own configuration", () -> configExists(home, "io.crontainer.test.own"));

		// Every console response forbids framing and sniffing.
		HttpResponse<String> bundles = http.send(HttpRequest.newBuilder(URI.create(base + "/system/console/bundles"))
				.header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(bundles.statusCode()).isEqualTo(200);
		assertThat(bundles.headers().firstValue("X-Frame-Options")).hasValue("DENY");
		assertThat(bundles.headers().firstValue("Content-Security-Policy")).hasValue("frame-ancestors 'none'");
		assertThat(bundles.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
		browser.get(page + "?name=heartbeat");
		assertThat(text(By.cssSelector("#job tr.state td"))).isEqualTo("SCHEDULED");

		// Without a session: the login page, whatever the path.
		HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/system/console/bundles"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(anonymous.body()).contains("id=\"login\"");

		// DNS rebinding: a Host header that names another server is refused everywhere (421).
		int port = URI.create(base).getPort();
		for (String path : new String[] { "/system/health", "/metrics", "/system/console/cronjobs" }) {
			assertThat(statusWithHost(base, path, "rebind.attacker.example:" + port)).as(path).isEqualTo(421);
		}
		assertThat(statusWithHost(base, "/system/health", "localhost:" + port)).isEqualTo(200);

		// Health, on loopback, without login.
		HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/system/health")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.body()).contains("\"overallResult\":\"OK\"").contains("Crontainer scheduler")
				.contains("Crontainer plugins").contains("Crontainer saturation");
		assertThat(health.headers().firstValue("Access-Control-Allow-Origin")).as("no cross-origin reads").isEmpty();
		// The URLs the shipped .cfg names answer; no JSONP; parameters that change what runs are ignored.
		assertThat(get(http, base + "/system/health.json").statusCode()).isEqualTo(200);
		HttpResponse<String> txt = get(http, base + "/system/health.txt");
		assertThat(txt.statusCode()).isEqualTo(200);
		assertThat(txt.body().strip()).isEqualTo("OK");
		HttpResponse<String> jsonp = get(http, base + "/system/health.jsonp?callback=steal");
		assertThat(jsonp.statusCode()).isIn(400, 404);
		assertThat(jsonp.headers().firstValue("Content-Type").orElse("")).doesNotContain("javascript");
		assertThat(jsonp.body()).doesNotContain("steal(");
		HttpResponse<String> debug = get(http, base + "/system/health?hcDebug=true&forceInstantExecution=true&timeout=1");
		assertThat(debug.statusCode()).isEqualTo(200);
		assertThat(debug.body()).doesNotContain("DEBUG").contains("\"overallResult\":\"OK\"");
		String shipped = Files.readString(home.resolve(
				"etc/org.apache.felix.hc.core.impl.servlet.HealthCheckExecutorServlet-crontainer.cfg"));
		Matcher urls = Pattern.compile("(/system/health[\\w./]*)").matcher(shipped);
		while (urls.find()) {
			String url = urls.group(1).replaceAll("[.,]$", "");
			assertThat(get(http, base + url).statusCode()).as(url + " named in the shipped .cfg").isEqualTo(200);
		}

		// No session before a login: cookieless requests (the login page, Basic page views, health) make none.
		int sessions = 0;
		String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + password)
				.getBytes(StandardCharsets.UTF_8));
		for (int i = 0; i < 2000; i++) {
			HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + switch (i % 4) {
			case 0 -> "/system/console/cronjobs";
			case 1 -> "/system/console/bundles";
			case 2 -> "/system/health";
			default -> "/system/console/cronjobs?name=heartbeat";
			}));
			if (i % 2 == 1) {
				b.header("Authorization", basic);
			}
			HttpResponse<Void> r = http.send(b.build(), HttpResponse.BodyHandlers.discarding());
			sessions += (int) r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID")).count();
		}
		assertThat(sessions).as("sessions made by 2,000 cookieless requests").isZero();

		// The operator's own account, as the README says: PasswordTool's hash in etc/, applied live; it ends
		// the sessions of the generated password, which no longer works.
		Path jar;
		try (Stream<Path> jars = Files.list(home.resolve("bundle"))) {
			jar = jars.filter(p -> p.getFileName().toString().startsWith("io.crontainer.webconsole-")).findFirst()
					.orElseThrow();
		}
		Process tool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				jar.toString(), "io.crontainer.webconsole.impl.PasswordTool").redirectErrorStream(true).start();
		try (var in = tool.getOutputStream()) {
			in.write("n3w secret phrase\n".getBytes(StandardCharsets.UTF_8));
		}
		String line = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		assertThat(tool.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(line).startsWith("password = {pbkdf2}600000:");
		Files.writeString(home.resolve("etc/io.crontainer.webconsole.cfg"), "username = ops\n" + line + "\n"
				+ "endpoints.access = token\n");
		await("the old session logged out", () -> loadWhileReconfigured(page)
				&& !browser.findElements(By.id("login")).isEmpty());
		logIn("admin", password);
		assertThat(text(By.id("login-error"))).isEqualTo("Wrong user name or password.");
		logIn("ops", "n3w secret phrase");
		waitFor(By.id("cron-jobs"));
		assertThat(home.resolve("data/web/password.hash")).doesNotExist();

		// endpoints.access = token: /system/health only with the bearer token of the file.
		Path tokenFile = home.resolve("data/web/endpoints.token");
		await("the bearer token file", () -> Files.exists(tokenFile));
		await("/system/health behind the token", () -> get(http, base + "/system/health").statusCode() == 401);
		String bearer = Files.readString(tokenFile).strip();
		HttpResponse<String> withBearer = http.send(HttpRequest.newBuilder(URI.create(base + "/system/health"))
				.header("Authorization", "Bearer " + bearer).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(withBearer.statusCode()).isEqualTo(200);
		assertThat(withBearer.body()).contains("Crontainer plugins");

		// Every login path shares one lockout, answered 429 with Retry-After; the operator's browser (its
		// device cookie) is not locked out by the other process on the same address.
		String wrong = "Basic " + java.util.Base64.getEncoder().encodeToString("ops:wrong".getBytes(StandardCharsets.UTF_8));
		String right = "Basic " + java.util.Base64.getEncoder().encodeToString("ops:n3w secret phrase"
				.getBytes(StandardCharsets.UTF_8));
		for (int i = 0; i < 10; i++) {
			assertThat(http.send(HttpRequest.newBuilder(URI.create(page)).header("Authorization", wrong).build(),
					HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
		}
		HttpResponse<Void> locked = http.send(HttpRequest.newBuilder(URI.create(page)).header("Authorization", right)
				.build(), HttpResponse.BodyHandlers.discarding());
		assertThat(locked.statusCode()).isEqualTo(429);
		assertThat(locked.headers().firstValue("Retry-After")).isPresent();
		browser.get(base + "/system/console/logout");
		browser.get(page);
		logIn("ops", "n3w secret phrase");
		waitFor(By.id("cron-jobs"));

		// Logging out ends the session.
		browser.get(base + "/system/console/logout");
		browser.get(page);
		waitFor(By.id("login"));
		assertThat(browser.findElements(By.id("cron-jobs"))).isEmpty();
	}

	/**
	 * Serves a page from another origin (another port of 127.0.0.1) that posts every kind of console form
	 * with the browser's cookies, waits until all have been answered, and checks that none had an effect.
	 */
	private void crossOriginAttacks(String base, Path home) throws Exception {
		HttpClient http = HttpClient.newHttpClient();
		String cookie = "JSESSIONID=" + browser.manage().getCookieNamed("JSESSIONID").getValue();
		String target = "io.crontainer.examples.tokencleaner";
		String before = get(http, base + "/system/console/bundles/" + target + ".json", cookie).body();
		Matcher id = Pattern.compile("\"id\":(\\d+)").matcher(before);
		assertThat(id.find()).as(before).isTrue();
		assertThat(before).contains("\"state\":\"Active\"");
		int runs = browser.findElements(By.cssSelector("#history tr[data-trigger='MANUAL']")).size();
		String lastEnd = text(By.cssSelector("#job tr.last-window-end td"));

		String page = "<!DOCTYPE html><html><head><title>cute cats</title></head><body><script>\n"
				+ "const c = '" + base + "';\n"
				+ "function post(path, body) { return fetch(c + path, {method: 'POST', mode: 'no-cors',"
				+ " credentials: 'include', body}).catch(e => e); }\n"
				+ "const jar = Uint8Array.from(atob('" + java.util.Base64.getEncoder().encodeToString(evilBundle())
				+ "'), ch => ch.charCodeAt(0));\n"
				+ "const install = new FormData(); install.append('action', 'install');"
				+ " install.append('bundlestart', 'start'); install.append('bundlestartlevel', '20');"
				+ " install.append('bundlefile', new Blob([jar]), 'evil.jar');\n"
				+ "Promise.all([\n"
				+ " post('/system/console/bundles/" + id.group(1) + "', new URLSearchParams({action: 'stop'})),\n"
				+ " post('/system/console/bundles', install),\n"
				+ " post('/system/console/configMgr/evil.pid', new URLSearchParams({apply: 'true',"
				+ " action: 'ajaxConfigManager', propertylist: 'a', a: 'b'})),\n"
				+ " post('/system/console/cronjobs', new URLSearchParams({action: 'fire', name: 'heartbeat'})),\n"
				+ " post('/system/console/cronjobs', new URLSearchParams({action: 'reset', name: 'heartbeat',"
				+ " confirmed: 'yes', force: 'yes', since: ''})),\n"
				+ " post('/system/console/cronjobs', new URLSearchParams({action: 'rerun', name: 'heartbeat',"
				+ " confirmed: 'yes', from: '2000-01-01T00:00:00Z', to: '2000-01-01T01:00:00Z', split: 'once'})),\n"
				+ " post('/system/console/vmstat', new URLSearchParams({shutdown_timer: '0', shutdown_type: 'Stop'})),\n"
				+ "]).then(() => { document.title = 'done'; });\n"
				+ "</script></body></html>";
		com.sun.net.httpserver.HttpServer evil = com.sun.net.httpserver.HttpServer
				.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
		evil.createContext("/", exchange -> {
			byte[] body = page.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		evil.start();
		try {
			browser.get("http://127.0.0.1:" + evil.getAddress().getPort() + "/cats.html");
			new WebDriverWait(browser, TIMEOUT).until(d -> "done".equals(d.getTitle()));
		} finally {
			evil.stop(0);
		}
		screenshot("cross-origin-attack");

		assertThat(process.isAlive()).as("system stop refused").isTrue();
		assertThat(get(http, base + "/system/console/bundles/" + target + ".json", cookie).body())
				.as("bundle stop refused").contains("\"state\":\"Active\"");
		String bundles = get(http, base + "/system/console/bundles.json", cookie).body();
		assertThat(bundles).as("bundle install refused").doesNotContain("evil.bundle");
		assertThat(configExists(home, "evil.pid")).as("configuration refused").isFalse();
		browser.get(base + "/system/console/cronjobs?name=heartbeat");
		assertThat(browser.findElements(By.cssSelector("#history tr[data-trigger='MANUAL']"))).as("fire refused")
				.hasSize(runs);
		assertThat(text(By.cssSelector("#job tr.last-window-end td"))).as("reset refused").isEqualTo(lastEnd);
		assertThat(browser.findElements(By.cssSelector("#job tr.rerun"))).as("re-run refused").isEmpty();
		assertThat(read(output)).contains("refused: Refused: a request from another origin");
	}

	/** A bundle that would run code if it were installed and started (its manifest is enough to install). */
	private static byte[] evilBundle() throws IOException {
		java.util.jar.Manifest manifest = new java.util.jar.Manifest();
		manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
		manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
		manifest.getMainAttributes().putValue("Bundle-SymbolicName", "evil.bundle");
		manifest.getMainAttributes().putValue("Bundle-Version", "1.0.0");
		java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
		try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(bytes, manifest)) {
			jar.flush();
		}
		return bytes.toByteArray();
	}

	private static boolean configExists(Path home, String pid) {
		try (Stream<Path> files = Files.walk(home.resolve("data/config"))) {
			return files.anyMatch(f -> f.toString().contains(pid.replace('.', '/')) || f.toString().contains(pid));
		} catch (IOException e) {
			return false;
		}
	}

	private static HttpResponse<String> get(HttpClient http, String url, String... cookie) {
		try {
			HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
			if (cookie.length > 0) {
				b.header("Cookie", cookie[0]);
			}
			return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
		} catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	/** The status of a GET with the given Host header (which Java's HttpClient does not let one set). */
	private static int statusWithHost(String base, String path, String host) throws IOException {
		URI uri = URI.create(base);
		try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
					StandardCharsets.US_ASCII)).readLine();
			assertThat(status).as("status line").startsWith("HTTP/1.1 ");
			return Integer.parseInt(status.split(" ")[1]);
		}
	}

	/** An element's text content, also for SVG elements that are never displayed, such as {@code <title>}. */
	private static String textContent(WebElement element) {
		return element.getDomProperty("textContent");
	}

	// ------------------------------------------------------------------------------------ browser

	/** Headless Chromium, or the test is skipped (or fails, with CRONTAINER_REQUIRE_BROWSER=1). */
	private static WebDriver browser() {
		Optional<Path> chromium = executable(System.getenv("CHROME_BIN"), "/usr/bin/chromium",
				"/usr/bin/chromium-browser", "/usr/bin/google-chrome");
		Optional<Path> driver = executable(System.getenv("CHROMEDRIVER"), "/usr/bin/chromedriver",
				"/usr/lib/chromium/chromedriver");
		if (chromium.isEmpty() || driver.isEmpty()) {
			String why = "No Chromium and chromedriver found (/usr/bin/chromium and /usr/bin/chromedriver, or CHROME_BIN"
					+ " and CHROMEDRIVER): apt-get install chromium chromium-driver";
			if ("1".equals(System.getenv("CRONTAINER_REQUIRE_BROWSER"))) {
				throw new AssertionError(why + " (CRONTAINER_REQUIRE_BROWSER=1: the browser test must run)");
			}
			Assumptions.abort(why);
		}
		ChromeOptions options = new ChromeOptions();
		options.setBinary(chromium.get().toFile());
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--window-size=1400,1000");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.get().toFile())
				.usingAnyFreePort().build();
		ChromeDriver chrome = new ChromeDriver(service, options);
		chrome.manage().window().setSize(new Dimension(1400, 1000));
		chrome.manage().timeouts().pageLoadTimeout(PAGE_LOAD);
		return chrome;
	}

	private static Optional<Path> executable(String... candidates) {
		return Stream.of(candidates).filter(c -> c != null && !c.isBlank()).map(Path::of)
				.filter(Files::isExecutable).findFirst();
	}

	private void logIn(String user, String password) {
		WebElement name = waitFor(By.id("crontainer_username"));
		name.clear();
		name.sendKeys(user);
		browser.findElement(By.id("crontainer_password")).sendKeys(password);
		click(By.cssSelector("#login button"));
	}

	/** Clicks and waits for the next page to load: until the clicked element has left the document. */
	private void click(By by) {
		WebElement element = waitFor(by);
		element.click();
		new WebDriverWait(browser, TIMEOUT).until(d -> isGone(element));
	}

	/**
	 * Whether an element has left the document. Selenium's {@code stalenessOf} expects a
	 * {@link StaleElementReferenceException}, but Chromium may instead answer, while the next page
	 * replaces the document, "Node with given id does not belong to the document": gone too.
	 */
	private static boolean isGone(WebElement element) {
		try {
			element.isEnabled();
			return false;
		} catch (StaleElementReferenceException e) {
			return true;
		} catch (WebDriverException e) {
			if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
				return true;
			}
			throw e;
		}
	}

	private WebElement waitFor(By by) {
		return new WebDriverWait(browser, TIMEOUT).until(ExpectedConditions.presenceOfElementLocated(by));
	}

	private String text(By by) {
		return waitFor(by).getText();
	}

	private WebElement row(String name) {
		return waitFor(By.cssSelector("#cron-jobs tr[data-name='" + name + "']"));
	}

	private boolean reload() {
		browser.navigate().refresh();
		return false;
	}

	/** A picture of one element only (a timeline), as {@code NAME.png} beside the page screenshots. */
	private static Path elementScreenshot(WebElement element, String name) throws IOException {
		Path dir = Files.createDirectories(Path.of(System.getProperty("crontainer.screenshots", "target/screenshots")));
		Path file = dir.resolve(name + ".png");
		Files.write(file, element.getScreenshotAs(OutputType.BYTES));
		return file;
	}

	private void screenshot(String name) throws IOException {
		Path dir = Files.createDirectories(Path.of(System.getProperty("crontainer.screenshots", "target/screenshots")));
		byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
		Files.write(dir.resolve(name + ".png"), png);
	}

	// ---------------------------------------------------------------------------------- runtime

	/** The console's base URL, from the runtime's own log line. */
	private String consoleBase() throws InterruptedException {
		String[] url = new String[1];
		await("the web console's URL in the log", () -> {
			Matcher m = CONSOLE_URL.matcher(read(output));
			if (m.find()) {
				url[0] = m.group(1);
				return true;
			}
			return false;
		});
		return url[0];
	}

	/**
	 * Loads a page while the console's components restart for a new configuration: whether it loaded.
	 * A load that the browser gives up on ({@link #PAGE_LOAD}; CI saw one hang for the WebDriver's
	 * 3 minutes once, under load) is not loaded, and the caller tries again, as long as the runtime
	 * answers the same page directly; if it does not, the runtime hangs: the test fails with the
	 * runtime's threads.
	 */
	private boolean loadWhileReconfigured(String url) {
		try {
			browser.get(url);
			return true;
		} catch (org.openqa.selenium.TimeoutException e) {
			long start = System.nanoTime();
			HttpRequest direct = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
			try {
				int status = HttpClient.newHttpClient().send(direct, HttpResponse.BodyHandlers.discarding()).statusCode();
				System.err.printf("WebConsoleIT: the browser gave up loading %s after %s; the runtime answered it directly"
						+ " with HTTP %d in %d ms%n", url, PAGE_LOAD, status, (System.nanoTime() - start) / 1_000_000);
				return false;
			} catch (IOException | InterruptedException failed) {
				if (failed instanceof InterruptedException) {
					Thread.currentThread().interrupt();
				}
				throw new AssertionError("The runtime does not answer " + url + " (" + failed + ") while its console is "
						+ "reconfigured; its threads:\n" + threadDump() + "\noutput:\n" + read(output), e);
			}
		}
	}

	/** The runtime JVM's threads (`jcmd PID Thread.print`), or why there are none. */
	private String threadDump() {
		Optional<ProcessHandle> jvm = Stream.concat(Stream.of(process.toHandle()), process.toHandle().descendants())
				.filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst();
		if (jvm.isEmpty()) {
			return "(no Java process found under " + process.pid() + ")";
		}
		try {
			Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
					Long.toString(jvm.get().pid()), "Thread.print").redirectErrorStream(true).start();
			String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			jcmd.waitFor(30, TimeUnit.SECONDS);
			return dump;
		} catch (IOException | InterruptedException e) {
			return "(jcmd failed: " + e + ")";
		}
	}

	private void await(String what, BooleanSupplier condition) throws InterruptedException {
		Distributions.await(process, output, TIMEOUT, what, condition);
	}

	private static String read(Path file) {
		return Distributions.read(file);
	}
}
