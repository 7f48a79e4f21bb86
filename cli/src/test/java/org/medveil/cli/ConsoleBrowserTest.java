package org.medveil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.cli.demo.Demo;
import org.medveil.cli.job.JobClient;
import org.medveil.governance.job.JobSpec;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.GetJobRequest;
import org.medveil.proto.admin.JobStatus;
import org.medveil.proto.admin.SiteAgreement;
import org.medveil.testsupport.External;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser: Debian's chromium driven through chromedriver, against the
 * demo's federation in this JVM (a coordinator with its console and 3 site nodes over mutual TLS
 * on loopback, encrypted rounds). Chromium accepts only the coordinator's key (its SPKI pinned by
 * {@code --ignore-certificate-errors-spki-list}); {@code ConsoleSecurityTest} checks the
 * certificate itself. Each test leaves a screenshot in {@code target/console-screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SHOTS = Path.of("target", "console-screenshots");
    static final Duration ROUNDS = Duration.ofMinutes(4);
    /** Rounds of the watched job: enough that the page sees it between two rounds, not only at the end. */
    static final int JOB_ROUNDS = 6;

    private Path dir;
    private Demo demo;
    private String jobId;
    private final List<WebDriver> browsers = new ArrayList<>();
    private int browserNo;

    private static final Demo.Progress QUIET = new Demo.Progress() {
        @Override
        public void step(String what) {
        }

        @Override
        public void job(JobStatus s) {
        }
    };

    private static boolean browserInstalled() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    @BeforeAll
    void startFederation(@TempDir Path tmp) throws Exception {
        dir = tmp;
        if (!browserInstalled()) {
            return; // each test then skips (or fails under CI=true) with the reason
        }
        Files.createDirectories(SHOTS);
        demo = new Demo(new Demo.Options(3, 12, 6, 4, 1, true, "cnn:input=16,filters=2,dense=8", 5, dir)).console(0);
        demo.start(QUIET);
    }

    @AfterAll
    void stop() {
        if (demo != null) {
            demo.close();
        }
    }

    @BeforeEach
    void requireBrowser() {
        External.require(browserInstalled(), "chromium and chromedriver at " + CHROMIUM + " and " + CHROMEDRIVER
                + " (apt-get install -y chromium chromium-driver)");
    }

    @AfterEach
    void closeBrowsers() {
        browsers.forEach(WebDriver::quit);
        browsers.clear();
    }

    /** A fresh chromium (own profile, nothing from the network but the console) that trusts only the coordinator's key. */
    private WebDriver browser() throws Exception {
        byte[] spki = MessageDigest.getInstance("SHA-256").digest(demo.kit("coordinator").certificate()
                .getPublicKey().getEncoded());
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,800",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-" + (++browserNo))),
                "--ignore-certificate-errors-spki-list=" + Base64.getEncoder().encodeToString(spki));
        // the driver is named explicitly, so Selenium Manager never looks for (or downloads) one
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        WebDriver d = new ChromeDriver(service, o);
        browsers.add(d);
        return d;
    }

    /** Waits; the pages redraw every 2 s, so an element found a moment ago may be gone: try again then. */
    private static WebDriverWait waiting(WebDriver d, Duration limit) {
        WebDriverWait w = new WebDriverWait(d, limit);
        w.pollingEvery(Duration.ofMillis(200));
        w.ignoring(StaleElementReferenceException.class);
        return w;
    }

    /** An attribute of the element with this id, read in one step in the page (null when absent). */
    private static String attr(WebDriver d, String id, String name) {
        return (String) ((JavascriptExecutor) d).executeScript(
                "const e = document.getElementById(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;", id, name);
    }

    private static void screenshot(WebDriver d, String name) throws Exception {
        byte[] png = ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve(name + ".png"), png);
    }

    private String base() {
        return "https://localhost:" + demo.consolePort();
    }

    /** Signs the browser in as users/NAME through a link from 'medveil console open', as a user would. */
    private WebDriver signedIn(String user) throws Exception {
        String link = openLink(user);
        WebDriver d = browser();
        d.get(link);
        waiting(d, Duration.ofSeconds(20)).until(x -> x.findElement(By.id("who")).getText().startsWith(user + " · "));
        return d;
    }

    private String openLink(String user) {
        String[] r = FederatedJobTest.cli("console", "open", "--kit", demo.project().resolve("users/" + user).toString(),
                "--coordinator", "localhost:" + demo.coordinatorPort());
        assertEquals("0", r[0], r[1]);
        String link = r[1].lines().findFirst().orElseThrow();
        assertTrue(link.startsWith(base() + "/login?token="), link);
        return link;
    }

    private List<SiteAgreement> agreements() throws Exception {
        List<SiteAgreement> out = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            out.add(JobClient.agreement(demo.agreement(i)));
        }
        return out;
    }

    private String submit(int rounds) throws Exception {
        String yaml = demo.jobYaml(List.of("hospital-1", "hospital-2", "hospital-3"))
                .replaceFirst("(?m)^rounds: \\d+$", "rounds: " + rounds);
        return demo.submit(JobSpec.parse(yaml, "console test job"), agreements());
    }

    private JobStatus status(String id) {
        return AdminGrpc.newBlockingStub(demo.researcher()).getJob(GetJobRequest.newBuilder().setJobId(id).build());
    }

    /** The manifest page as the user sees it, read in one step: "verified|summary" then "round|status|text" per row. */
    @SuppressWarnings("unchecked")
    private static List<String> manifestPage(WebDriver d) {
        return (List<String>) ((JavascriptExecutor) d).executeScript("""
                const s = document.getElementById('manifest-summary');
                if (!s) return null;
                const rows = [...document.querySelectorAll('#manifests tbody tr')].map(r =>
                    r.getAttribute('data-round') + '|' + r.className.replace('status-', '') + '|' + r.textContent);
                return [s.getAttribute('data-verified') + '|' + s.textContent, ...rows];
                """);
    }

    private static int rounds(WebElement chart) {
        return Integer.parseInt(chart.getAttribute("data-rounds"));
    }

    @Test
    @Order(1)
    @DisplayName("a one-time link from 'medveil console open' signs the browser in with the kit's role; used again it is refused")
    void signsInThroughAOneTimeLink() throws Exception {
        String link = openLink("rita");
        WebDriver d = browser();
        d.get(link);
        waiting(d, Duration.ofSeconds(20)).until(x -> x.findElement(By.id("who")).getText().equals("rita · researcher"));
        assertEquals(base() + "/", d.getCurrentUrl());
        assertEquals("Jobs", d.findElement(By.tagName("h1")).getText());
        assertFalse(String.valueOf(((JavascriptExecutor) d).executeScript("return document.cookie;")).contains("medveil"),
                "the page's scripts can read the session cookie (it must be HttpOnly)");
        screenshot(d, "01-signed-in");

        WebDriver other = browser();
        other.get(link);
        assertTrue(other.findElement(By.tagName("body")).getText().contains("already used"));
        other.get(base() + "/");
        waiting(other, Duration.ofSeconds(20)).until(x -> !x.findElements(By.id("signed-out")).isEmpty());
        screenshot(other, "01-link-used-again");
    }

    @Test
    @Order(2)
    @DisplayName("a running job's plots, participation, bytes on the wire and timeline grow round by round without a page reload")
    void runningJobPlotsUpdate() throws Exception {
        jobId = submit(JOB_ROUNDS);
        WebDriver d = signedIn("rita");
        d.get(base() + "/#/jobs/" + jobId);
        WebElement quality = waiting(d, Duration.ofSeconds(20)).until(x -> x.findElement(By.id("chart-quality")));
        ((JavascriptExecutor) d).executeScript("window.__sameDocument = true;");
        waiting(d, ROUNDS).until(x -> rounds(x.findElement(By.id("chart-quality"))) >= 1);
        int first = rounds(d.findElement(By.id("chart-quality")));
        assertTrue(first < JOB_ROUNDS, "the job ended before the page could watch it run");
        waiting(d, ROUNDS).until(x -> rounds(x.findElement(By.id("chart-quality"))) > first);
        assertEquals(Boolean.TRUE, ((JavascriptExecutor) d).executeScript("return window.__sameDocument === true;"),
                "the page was reloaded; it must update in place");
        assertFalse(d.findElements(By.cssSelector("#chart-quality canvas")).isEmpty(), "no plot drawn");
        assertTrue(rounds(d.findElement(By.id("chart-loss"))) >= 2);
        assertTrue(rounds(d.findElement(By.id("chart-participation"))) >= 2);
        assertTrue(rounds(d.findElement(By.id("chart-wire"))) >= 2, "no bytes on the wire plotted");
        assertFalse(d.findElements(By.cssSelector("#timeline .row")).isEmpty(), "no round timeline");
        // a short round can finish the job between the waits above; watching it grow is the point
        assertTrue(List.of("running", "completed").contains(attr(d, "job-state", "data-state")));
        String page = d.findElement(By.tagName("body")).getText();
        assertTrue(page.contains("HE, parameter set n8192") && page.contains("fedavg"), page);
        screenshot(d, "02-job-running");
        demo.watch(jobId, QUIET);
        waiting(d, Duration.ofSeconds(20)).until(x -> "completed".equals(attr(x, "job-state", "data-state")));
        assertEquals(JOB_ROUNDS, rounds(d.findElement(By.id("chart-quality"))));
        screenshot(d, "02-job-completed");
    }

    @Test
    @Order(3)
    @DisplayName("a compliance officer sees the job's manifest chain verified by the server and downloads a manifest")
    void manifestChainVerified() throws Exception {
        WebDriver d = signedIn("carla");
        d.get(base() + "/#/jobs/" + jobId + "/manifests");
        List<String> page = waiting(d, Duration.ofSeconds(20)).until(x -> manifestPage(x));
        assertTrue(page.get(0).startsWith("true|OK: " + JOB_ROUNDS + " round(s)"), page.get(0));
        assertEquals(JOB_ROUNDS, page.size() - 1, page.toString());
        for (int r = 1; r <= JOB_ROUNDS; r++) {
            assertTrue(page.get(r).startsWith(r + "|verified|"), page.get(r));
        }
        Path file = manifests().resolve("round-000001.json");
        Object fetched = ((JavascriptExecutor) d).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch(document.querySelector('a[download=\"round-000001.json\"]').href).then(r => r.text()).then(done);");
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), fetched);
        screenshot(d, "03-manifests-verified");
    }

    private Path manifests() {
        return demo.project().resolve("coordinator/state/jobs").resolve(jobId).resolve("manifests");
    }

    @Test
    @Order(4)
    @DisplayName("a manifest altered on the coordinator's disk is flagged, the ones before it stay verified")
    void tamperedManifestFlagged() throws Exception {
        Path file = manifests().resolve("round-000002.json");
        byte[] original = Files.readAllBytes(file);
        String text = new String(original, StandardCharsets.UTF_8);
        // one more training example than the sites reported: a small, plausible lie
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"examples\":\"(\\d+)\"").matcher(text);
        assertTrue(m.find(), "the test could not find the example count to alter: " + text);
        String altered = text.substring(0, m.start(1)) + (Long.parseLong(m.group(1)) + 1) + text.substring(m.end(1));
        Files.writeString(file, altered);
        try {
            WebDriver d = signedIn("carla");
            d.get(base() + "/#/jobs/" + jobId + "/manifests");
            List<String> page = waiting(d, Duration.ofSeconds(20)).until(x -> manifestPage(x));
            assertTrue(page.get(0).startsWith("false|FAILED: first bad file: round-000002.json"), page.get(0));
            assertTrue(page.get(1).startsWith("1|verified|"), page.get(1));
            assertTrue(page.get(2).startsWith("2|failed|") && page.get(2).contains("signature"), page.get(2));
            for (int r = 3; r <= JOB_ROUNDS; r++) {
                assertTrue(page.get(r).startsWith(r + "|untrusted|"), page.get(r));
            }
            screenshot(d, "04-manifest-tampered");
        } finally {
            Files.write(file, original);
        }
    }

    @Test
    @Order(5)
    @DisplayName("a data manager is refused the jobs pages but sees the sites")
    void roleIsRefusedAPage() throws Exception {
        WebDriver d = signedIn("dm-1");
        d.get(base() + "/#/jobs/" + jobId);
        waiting(d, Duration.ofSeconds(20)).until(x -> x.findElement(By.id("refused")).getText()
                .contains("your role (data-manager) may not see jobs"));
        assertTrue(d.findElements(By.id("chart-quality")).isEmpty());
        screenshot(d, "05-refused");
        d.get(base() + "/#/sites");
        String sites = waiting(d, Duration.ofSeconds(20)).until(x -> {
            String t = x.findElement(By.id("sites")).getText();
            return x.findElements(By.cssSelector("#sites tbody tr")).size() == 3 ? t : null;
        });
        assertTrue(sites.contains("hospital-1") && sites.contains("connected") && sites.contains("days"), sites);
        screenshot(d, "05-sites");
    }

    @Test
    @Order(6)
    @DisplayName("a project admin aborts a running job from its page; a researcher has no abort button")
    void projectAdminAbortsAJob() throws Exception {
        String long1 = submit(100);
        WebDriver researcher = signedIn("rita");
        researcher.get(base() + "/#/jobs/" + long1);
        waiting(researcher, ROUNDS).until(x -> "running".equals(attr(x, "job-state", "data-state")));
        assertTrue(researcher.findElements(By.id("abort")).isEmpty(), "a researcher was offered the abort button");

        WebDriver admin = signedIn("pat");
        admin.get(base() + "/#/jobs/" + long1);
        waiting(admin, Duration.ofSeconds(20)).until(x -> x.findElement(By.id("abort"))).click();
        admin.findElement(By.id("abort-reason")).sendKeys("wrong cohort");
        admin.findElement(By.id("abort-confirm")).click();
        waiting(admin, Duration.ofSeconds(20)).until(x -> "aborted".equals(attr(x, "job-state", "data-state")));
        JobStatus s = status(long1);
        assertEquals("aborted", s.getState());
        assertTrue(s.getReason().contains("pat (project-admin)") && s.getReason().contains("wrong cohort"), s.getReason());
        assertTrue(admin.findElements(By.id("abort")).isEmpty(), "an ended job still offers abort");
        screenshot(admin, "06-aborted");
    }
}
