package generate

// Device and locale mixes of Persona's users around 2013, as a coarse
// server-side user-agent parser would report them.

type deviceKind uint8

const (
	kindDesktop deviceKind = iota
	kindPhone
	kindTablet
	kindAndroid // phone or tablet
)

type osProfile struct {
	name     string
	kind     deviceKind
	browsers *weighted[browserProfile]
	oldPC    bool // older hardware: slower crypto and loading
}

type browserProfile struct {
	name     string
	versions *weighted[string]
	// cryptoMs is the median generate_assertion → assertion_generated
	// time on a desktop; mobile devices multiply it.
	cryptoMs float64
	oldLoad  bool // an old engine: the dialog loads slowly
}

// agentClass is what the server's per-agent sample rate told apart.
type agentClass uint8

const (
	classDesktop agentClass = iota
	classTablet
	classPhone
	classFirefoxOS
)

// classRates is the server's kpi.backend_sample_rate_per_agent: the
// sessions of an agent that send a blob. Phones were sampled more than
// desktops, Firefox OS most (docs/data.md 1.2).
var classRates = [...]float64{classDesktop: 0.1, classTablet: 0.3, classPhone: 0.5, classFirefoxOS: 0.7}

// How each class behaves: the dialog loads (load) and its requests take
// (net) longer on mobile networks and handsets, relative to a desktop.
var (
	classLoad = [...]float64{classDesktop: 1, classTablet: 1.5, classPhone: 2.1, classFirefoxOS: 2.6}
	classNet  = [...]float64{classDesktop: 1, classTablet: 1.3, classPhone: 1.8, classFirefoxOS: 2.2}
)

type simDevice struct {
	os, browser, version string
	width, height        int
	class                agentClass
	kind                 deviceKind // kindDesktop, kindPhone or kindTablet
	mobile               bool       // phone or tablet
	phone                bool       // a phone, Firefox OS included
	rate                 float64    // the server's sample rate for this agent
	cryptoMs, load, net  float64
	osp                  osProfile
}

func weigh[T any](v T, weight int) weightedChoice[T] { return weightedChoice[T]{v, weight} }

func versionTable(cs ...weightedChoice[string]) *weighted[string] {
	t := newWeighted(cs...)
	return &t
}

func browserTable(cs ...weightedChoice[browserProfile]) *weighted[browserProfile] {
	t := newWeighted(cs...)
	return &t
}

var (
	firefoxDesktop = browserProfile{"Firefox", versionTable(
		weigh("17.0", 3), weigh("18.0", 3), weigh("19.0", 4), weigh("20.0", 6), weigh("21.0", 10),
		weigh("22.0", 12), weigh("23.0", 14), weigh("24.0", 16), weigh("25.0", 14), weigh("26.0", 8),
		weigh("3.6", 1), weigh("10.0", 2), weigh("27.0", 2)), 140, false}
	chromeDesktop = browserProfile{"Chrome", versionTable(
		weigh("24.0.1312", 3), weigh("25.0.1364", 4), weigh("26.0.1410", 6), weigh("27.0.1453", 10),
		weigh("28.0.1500", 14), weigh("29.0.1547", 16), weigh("30.0.1599", 18), weigh("31.0.1650", 14)), 110, false}
	safariDesktop = browserProfile{"Safari", versionTable(
		weigh("5.1", 20), weigh("6.0", 30), weigh("6.1", 25), weigh("7.0", 25)), 180, false}
	operaDesktop = browserProfile{"Opera", versionTable(
		weigh("12.16", 60), weigh("15.0", 15), weigh("17.0", 25)), 220, false}
	rareDesktop = browserProfile{"SeaMonkey", versionTable(weigh("2.22", 1)), 170, false}
	maxthon     = browserProfile{"Maxthon", versionTable(weigh("4.1", 1)), 300, false}

	msieModern = browserProfile{"MSIE", versionTable(weigh("9.0", 30), weigh("10.0", 45), weigh("11.0", 25)), 380, false}
	msieWin7   = browserProfile{"MSIE", versionTable(weigh("8.0", 25), weigh("9.0", 35), weigh("10.0", 30), weigh("11.0", 10)), 520, false}
	msieXP     = browserProfile{"MSIE", versionTable(weigh("6.0", 3), weigh("7.0", 17), weigh("8.0", 80)), 1500, true}
	msieVista  = browserProfile{"MSIE", versionTable(weigh("7.0", 10), weigh("8.0", 40), weigh("9.0", 50)), 900, true}

	chromeMobile  = browserProfile{"Chrome", versionTable(weigh("18.0", 20), weigh("28.0", 30), weigh("30.0", 30), weigh("31.0", 20)), 160, false}
	firefoxMobile = browserProfile{"Firefox", versionTable(weigh("22.0", 20), weigh("23.0", 20), weigh("24.0", 30), weigh("25.0", 30)), 180, false}
	androidStock  = browserProfile{"Android", versionTable(weigh("2.3", 25), weigh("4.0", 30), weigh("4.1", 25), weigh("4.2", 20)), 260, true}
	safariMobile  = browserProfile{"Mobile Safari", versionTable(weigh("5.1", 10), weigh("6.0", 40), weigh("7.0", 50)), 180, false}
	safariIOS     = browserProfile{"Safari", versionTable(weigh("6.0", 40), weigh("7.0", 60)), 180, false}
	firefoxOS     = browserProfile{"Firefox", versionTable(weigh("18.0", 70), weigh("18.1", 20), weigh("26.0", 10)), 260, false}
	silk          = browserProfile{"Silk", versionTable(weigh("3.9", 1)), 280, false}
	iemobile      = browserProfile{"IE Mobile", versionTable(weigh("10.0", 1)), 300, false}

	windowsBrowsers = browserTable(weigh(firefoxDesktop, 40), weigh(chromeDesktop, 34), weigh(msieWin7, 22), weigh(operaDesktop, 2), weigh(maxthon, 1), weigh(rareDesktop, 1))
	win8Browsers    = browserTable(weigh(firefoxDesktop, 36), weigh(chromeDesktop, 34), weigh(msieModern, 27), weigh(operaDesktop, 3))
	xpBrowsers      = browserTable(weigh(firefoxDesktop, 40), weigh(chromeDesktop, 28), weigh(msieXP, 29), weigh(operaDesktop, 3))
	vistaBrowsers   = browserTable(weigh(firefoxDesktop, 40), weigh(chromeDesktop, 30), weigh(msieVista, 28), weigh(operaDesktop, 2))
	macBrowsers     = browserTable(weigh(firefoxDesktop, 36), weigh(chromeDesktop, 30), weigh(safariDesktop, 32), weigh(operaDesktop, 2))
	linuxBrowsers   = browserTable(weigh(firefoxDesktop, 62), weigh(chromeDesktop, 33), weigh(operaDesktop, 3), weigh(rareDesktop, 2))
	androidBrowsers = browserTable(weigh(chromeMobile, 38), weigh(androidStock, 30), weigh(firefoxMobile, 28), weigh(operaDesktop, 2), weigh(silk, 2))
	iosBrowsers     = browserTable(weigh(safariIOS, 62), weigh(safariMobile, 20), weigh(chromeMobile, 16), weigh(operaDesktop, 2))
	fxosBrowsers    = browserTable(weigh(firefoxOS, 1))
	phoneBrowsers   = browserTable(weigh(iemobile, 3), weigh(operaDesktop, 1))
	chromeOS        = browserTable(weigh(chromeDesktop, 1))

	// osTable is the mix of dialog sessions (the population); blobs
	// over-represent the agents sampled at higher rates.
	osTable = newWeighted(
		weigh(osProfile{"Windows NT 6.1", kindDesktop, windowsBrowsers, false}, 380),
		weigh(osProfile{"Windows NT 6.2", kindDesktop, win8Browsers, false}, 85),
		weigh(osProfile{"Windows NT 5.1", kindDesktop, xpBrowsers, true}, 105),
		weigh(osProfile{"Windows NT 6.0", kindDesktop, vistaBrowsers, true}, 40),
		weigh(osProfile{"Macintosh", kindDesktop, macBrowsers, false}, 140),
		weigh(osProfile{"Linux", kindDesktop, linuxBrowsers, false}, 60),
		weigh(osProfile{"Android", kindAndroid, androidBrowsers, false}, 70),
		weigh(osProfile{"iPhone", kindPhone, iosBrowsers, false}, 42),
		weigh(osProfile{"iPad", kindTablet, iosBrowsers, false}, 30),
		weigh(osProfile{"iPod", kindPhone, iosBrowsers, false}, 5),
		weigh(osProfile{"FirefoxOS", kindPhone, fxosBrowsers, false}, 18),
		// Rare: the default OS list maps these to Other.
		weigh(osProfile{"Windows NT 6.3", kindDesktop, win8Browsers, false}, 8),
		weigh(osProfile{"Windows NT 5.2", kindDesktop, xpBrowsers, true}, 2),
		weigh(osProfile{"Chrome OS", kindDesktop, chromeOS, false}, 3),
		weigh(osProfile{"Windows Phone", kindPhone, phoneBrowsers, false}, 3),
		weigh(osProfile{"BlackBerry", kindPhone, phoneBrowsers, false}, 1),
		weigh(osProfile{"FreeBSD", kindDesktop, linuxBrowsers, false}, 1),
	)

	desktopScreens = newWeighted(
		weigh([2]int{1366, 768}, 30), weigh([2]int{1920, 1080}, 20), weigh([2]int{1280, 800}, 10),
		weigh([2]int{1280, 1024}, 9), weigh([2]int{1440, 900}, 9), weigh([2]int{1600, 900}, 6),
		weigh([2]int{1024, 768}, 5), weigh([2]int{1680, 1050}, 5), weigh([2]int{2560, 1440}, 2),
		weigh([2]int{1920, 1200}, 2), weigh([2]int{1280, 720}, 1), weigh([2]int{2880, 1800}, 1))
	phoneScreens = newWeighted(
		weigh([2]int{320, 480}, 25), weigh([2]int{320, 568}, 25), weigh([2]int{360, 640}, 25),
		weigh([2]int{480, 800}, 10), weigh([2]int{384, 640}, 8), weigh([2]int{540, 960}, 4), weigh([2]int{600, 1024}, 3))
	tabletScreens = newWeighted(
		weigh([2]int{768, 1024}, 72), weigh([2]int{800, 1280}, 20), weigh([2]int{720, 1280}, 8))

	langs = newWeighted(
		weigh("en-US", 360), weigh("en", 120), weigh("es", 85), weigh("pt-BR", 70), weigh("de", 65),
		weigh("fr", 60), weigh("it", 30), weigh("pl", 30), weigh("ru", 28), weigh("tr", 20), weigh("nl", 20),
		weigh("ja", 18), weigh("en-GB", 14), weigh("es-MX", 8), weigh("zh-CN", 8), weigh("zh-TW", 5),
		weigh("sv-SE", 5), weigh("cs", 5), weigh("hu", 4), weigh("ko", 4), weigh("el", 3), weigh("da", 3),
		weigh("fi", 3), weigh("nb-NO", 2), weigh("ro", 2), weigh("uk", 3), weigh("id", 3), weigh("ar", 2),
		weigh("he", 1), weigh("bg", 1), weigh("sq", 1), weigh("ca", 1), weigh("es-AR", 1), weigh("vi", 1))

	rpAPIs = newWeighted(
		weigh("watch_without_onready", 34), weigh("watch_with_onready", 25), weigh("get", 24),
		weigh("getVerifiedEmail", 10), weigh("internal", 1))
)

// pickAgent draws the user agent's OS and device kind: all the server
// needs to choose the sample rate.
func pickAgent(r *simRand, d *simDevice) {
	d.osp = osTable.pick(r)
	d.kind = d.osp.kind
	if d.kind == kindAndroid {
		d.kind = kindPhone
		if r.chance(0.2) {
			d.kind = kindTablet
		}
	}
	d.class = agentClassOf(d.osp.name, d.kind)
	d.rate = classRates[d.class]
}

func agentClassOf(os string, kind deviceKind) agentClass {
	switch {
	case os == "FirefoxOS":
		return classFirefoxOS
	case kind == kindPhone:
		return classPhone
	case kind == kindTablet:
		return classTablet
	}
	return classDesktop
}

// meanSampleRate is the expected sample rate of a session, so that PerDay
// blobs a day come from PerDay/meanSampleRate sessions.
var meanSampleRate = func() float64 {
	var sum, total float64
	for i, osp := range osTable.vals {
		w := float64(osTable.cum[i])
		if i > 0 {
			w -= float64(osTable.cum[i-1])
		}
		rate := classRates[agentClassOf(osp.name, osp.kind)]
		if osp.kind == kindAndroid {
			rate = 0.8*classRates[classPhone] + 0.2*classRates[classTablet]
		}
		sum += w * rate
		total += w
	}
	return sum / total
}()

// pickBrowser draws the browser and its version (the census names them
// too) and derives the device's speeds.
func pickBrowser(r *simRand, d *simDevice) {
	bp := d.osp.browsers.pick(r)
	d.os, d.browser, d.version = d.osp.name, bp.name, bp.versions.pick(r)
	d.mobile = d.kind != kindDesktop
	d.phone = d.class == classPhone || d.class == classFirefoxOS
	d.load, d.net = classLoad[d.class], classNet[d.class]
	d.cryptoMs = bp.cryptoMs
	if d.mobile {
		d.cryptoMs *= 4.5
	}
	if d.class == classFirefoxOS {
		d.cryptoMs *= 1.5 // low-end handsets
	}
	if d.osp.oldPC {
		d.cryptoMs *= 1.4
		d.load *= 1.3
	}
	if bp.oldLoad {
		d.load *= 1.4
	}
}

// pickScreen draws a screen consistent with the kind of device.
func pickScreen(r *simRand, d *simDevice) {
	var s [2]int
	switch d.kind {
	case kindPhone:
		s = phoneScreens.pick(r)
	case kindTablet:
		s = tabletScreens.pick(r)
	default:
		s = desktopScreens.pick(r)
	}
	d.width, d.height = s[0], s[1]
}
