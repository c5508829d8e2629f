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
 * confirmation; a cross-site POST is refused and {@code /system/health} answers without login. Screenshots
 * go to {@code runtime/target/screenshots/}.
 *
 * <p>
 * Runs wherever a Chromium and its driver are found ({@code /usr/bin/chromium} and
 * {@code /usr/bin/chromedriver}, as Debian's {@code chromium} and {@code chromium-driver} install them, or
 * {@code CHROME_BIN} and {@code CHROMEDRIVER}). Otherwise it is skipped, unless the environment sets
 * {@code CRONTAINER_REQUIRE_BROWSER=1} (CI does): then it fails.
 */
class WebConsoleIT {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);
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
		await("the generated password", () -> Files.exists(passwordFile));
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
		assertThat(Files.exists(passwordFile)).as("initial password file deleted at the first login").isFalse();
		List<String> headers = browser.findElements(By.cssSelector("#cron-jobs thead th")).stream()
				.map(WebElement::getText).toList();
		assertThat(headers).containsSubsequence("Name", "State", "Interval", "Zone", "Next fire", "Left",
				"Last window end", "Last run", "Took", "Bundle", "Reason", "Actions");
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
		browser.get(page + "?name=heartbeat");
		assertThat(text(By.cssSelector("#job tr.state td"))).isEqualTo("SCHEDULED");

		// Without a session: the login page, whatever the path.
		HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/system/console/bundles"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(anonymous.body()).contains("id=\"login\"");

		// Health, on loopback, without login.
		HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/system/health")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.body()).contains("\"overallResult\":\"OK\"").contains("Crontainer scheduler")
				.contains("Crontainer plugins").contains("Crontainer saturation");
		assertThat(health.headers().firstValue("Access-Control-Allow-Origin")).as("no cross-origin reads").isEmpty();

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
			in.write("n3w secret\n".getBytes(StandardCharsets.UTF_8));
		}
		String line = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		assertThat(tool.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(line).startsWith("password = {pbkdf2}600000:");
		Files.writeString(home.resolve("etc/io.crontainer.webconsole.cfg"), "username = ops\n" + line + "\n");
		await("the old session logged out", () -> {
			browser.get(page);
			return !browser.findElements(By.id("login")).isEmpty();
		});
		logIn("admin", password);
		assertThat(text(By.id("login-error"))).isEqualTo("Wrong user name or password.");
		logIn("ops", "n3w secret");
		waitFor(By.id("cron-jobs"));
		assertThat(home.resolve("data/web/password.hash")).doesNotExist();

		// Logging out ends the session.
		browser.get(base + "/system/console/logout");
		browser.get(page);
		waitFor(By.id("login"));
		assertThat(browser.findElements(By.id("cron-jobs"))).isEmpty();
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

	private void await(String what, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (!condition.getAsBoolean()) {
			if (!process.isAlive()) {
				throw new AssertionError("Crontainer exited (" + process.exitValue() + ") while waiting for " + what
						+ "; output:\n" + read(output));
			}
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("Timed out waiting for " + what + "; output:\n" + read(output));
			}
			Thread.sleep(100);
		}
	}

	private static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
		} catch (IOException e) {
			return e.toString();
		}
	}
}
