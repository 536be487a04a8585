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
	oldPC    bool // older hardware: slower crypto
}

type browserProfile struct {
	name     string
	versions *weighted[string]
	// cryptoMs is the median generate_assertion → assertion_generated
	// time on a desktop; mobile devices multiply it.
	cryptoMs float64
}

type simDevice struct {
	os, browser, version string
	width, height        int
	mobile               bool // phone or tablet
	cryptoMs             float64
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
		weigh("3.6", 1), weigh("10.0", 2), weigh("27.0", 2)), 140}
	chromeDesktop = browserProfile{"Chrome", versionTable(
		weigh("24.0.1312", 3), weigh("25.0.1364", 4), weigh("26.0.1410", 6), weigh("27.0.1453", 10),
		weigh("28.0.1500", 14), weigh("29.0.1547", 16), weigh("30.0.1599", 18), weigh("31.0.1650", 14)), 110}
	safariDesktop = browserProfile{"Safari", versionTable(
		weigh("5.1", 20), weigh("6.0", 30), weigh("6.1", 25), weigh("7.0", 25)), 180}
	operaDesktop = browserProfile{"Opera", versionTable(
		weigh("12.16", 60), weigh("15.0", 15), weigh("17.0", 25)), 220}
	rareDesktop = browserProfile{"SeaMonkey", versionTable(weigh("2.22", 1)), 170}
	maxthon     = browserProfile{"Maxthon", versionTable(weigh("4.1", 1)), 300}

	msieModern = browserProfile{"MSIE", versionTable(weigh("9.0", 30), weigh("10.0", 45), weigh("11.0", 25)), 380}
	msieWin7   = browserProfile{"MSIE", versionTable(weigh("8.0", 25), weigh("9.0", 35), weigh("10.0", 30), weigh("11.0", 10)), 520}
	msieXP     = browserProfile{"MSIE", versionTable(weigh("6.0", 3), weigh("7.0", 17), weigh("8.0", 80)), 1500}
	msieVista  = browserProfile{"MSIE", versionTable(weigh("7.0", 10), weigh("8.0", 40), weigh("9.0", 50)), 900}

	chromeMobile  = browserProfile{"Chrome", versionTable(weigh("18.0", 20), weigh("28.0", 30), weigh("30.0", 30), weigh("31.0", 20)), 160}
	firefoxMobile = browserProfile{"Firefox", versionTable(weigh("22.0", 20), weigh("23.0", 20), weigh("24.0", 30), weigh("25.0", 30)), 180}
	androidStock  = browserProfile{"Android", versionTable(weigh("2.3", 25), weigh("4.0", 30), weigh("4.1", 25), weigh("4.2", 20)), 260}
	safariMobile  = browserProfile{"Mobile Safari", versionTable(weigh("5.1", 10), weigh("6.0", 40), weigh("7.0", 50)), 180}
	safariIOS     = browserProfile{"Safari", versionTable(weigh("6.0", 40), weigh("7.0", 60)), 180}
	firefoxOS     = browserProfile{"Firefox", versionTable(weigh("18.0", 70), weigh("18.1", 20), weigh("26.0", 10)), 260}
	silk          = browserProfile{"Silk", versionTable(weigh("3.9", 1)), 280}
	iemobile      = browserProfile{"IE Mobile", versionTable(weigh("10.0", 1)), 300}

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

// pickDevice draws an OS, browser, version and a screen consistent with
// the kind of device.
func pickDevice(r *simRand, d *simDevice) {
	osp := osTable.pick(r)
	bp := osp.browsers.pick(r)
	d.os, d.browser, d.version = osp.name, bp.name, bp.versions.pick(r)
	kind := osp.kind
	if kind == kindAndroid {
		kind = kindPhone
		if r.chance(0.2) {
			kind = kindTablet
		}
	}
	var s [2]int
	switch kind {
	case kindPhone:
		s = phoneScreens.pick(r)
	case kindTablet:
		s = tabletScreens.pick(r)
	default:
		s = desktopScreens.pick(r)
	}
	d.width, d.height = s[0], s[1]
	d.mobile = kind != kindDesktop
	d.cryptoMs = bp.cryptoMs
	if d.mobile {
		d.cryptoMs *= 4.5
	}
	if osp.name == "FirefoxOS" {
		d.cryptoMs *= 1.5 // low-end handsets
	}
	if osp.oldPC {
		d.cryptoMs *= 1.4
	}
}
