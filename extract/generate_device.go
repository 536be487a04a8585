package extract

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

type device struct {
	os, browser, version string
	width, height        int
	mobile               bool // phone or tablet
	cryptoMs             float64
}

func w[T any](v T, weight int) choice[T] { return choice[T]{v, weight} }

func versions(cs ...choice[string]) *weighted[string] {
	t := newWeighted(cs...)
	return &t
}

func browsers(cs ...choice[browserProfile]) *weighted[browserProfile] {
	t := newWeighted(cs...)
	return &t
}

var (
	firefoxDesktop = browserProfile{"Firefox", versions(
		w("17.0", 3), w("18.0", 3), w("19.0", 4), w("20.0", 6), w("21.0", 10),
		w("22.0", 12), w("23.0", 14), w("24.0", 16), w("25.0", 14), w("26.0", 8),
		w("3.6", 1), w("10.0", 2), w("27.0", 2)), 140}
	chromeDesktop = browserProfile{"Chrome", versions(
		w("24.0.1312", 3), w("25.0.1364", 4), w("26.0.1410", 6), w("27.0.1453", 10),
		w("28.0.1500", 14), w("29.0.1547", 16), w("30.0.1599", 18), w("31.0.1650", 14)), 110}
	safariDesktop = browserProfile{"Safari", versions(
		w("5.1", 20), w("6.0", 30), w("6.1", 25), w("7.0", 25)), 180}
	operaDesktop = browserProfile{"Opera", versions(
		w("12.16", 60), w("15.0", 15), w("17.0", 25)), 220}
	rareDesktop = browserProfile{"SeaMonkey", versions(w("2.22", 1)), 170}
	maxthon     = browserProfile{"Maxthon", versions(w("4.1", 1)), 300}

	msieModern = browserProfile{"MSIE", versions(w("9.0", 30), w("10.0", 45), w("11.0", 25)), 380}
	msieWin7   = browserProfile{"MSIE", versions(w("8.0", 25), w("9.0", 35), w("10.0", 30), w("11.0", 10)), 520}
	msieXP     = browserProfile{"MSIE", versions(w("6.0", 3), w("7.0", 17), w("8.0", 80)), 1500}
	msieVista  = browserProfile{"MSIE", versions(w("7.0", 10), w("8.0", 40), w("9.0", 50)), 900}

	chromeMobile  = browserProfile{"Chrome", versions(w("18.0", 20), w("28.0", 30), w("30.0", 30), w("31.0", 20)), 160}
	firefoxMobile = browserProfile{"Firefox", versions(w("22.0", 20), w("23.0", 20), w("24.0", 30), w("25.0", 30)), 180}
	androidStock  = browserProfile{"Android", versions(w("2.3", 25), w("4.0", 30), w("4.1", 25), w("4.2", 20)), 260}
	safariMobile  = browserProfile{"Mobile Safari", versions(w("5.1", 10), w("6.0", 40), w("7.0", 50)), 180}
	safariIOS     = browserProfile{"Safari", versions(w("6.0", 40), w("7.0", 60)), 180}
	firefoxOS     = browserProfile{"Firefox", versions(w("18.0", 70), w("18.1", 20), w("26.0", 10)), 260}
	silk          = browserProfile{"Silk", versions(w("3.9", 1)), 280}
	iemobile      = browserProfile{"IE Mobile", versions(w("10.0", 1)), 300}

	windowsBrowsers = browsers(w(firefoxDesktop, 40), w(chromeDesktop, 34), w(msieWin7, 22), w(operaDesktop, 2), w(maxthon, 1), w(rareDesktop, 1))
	win8Browsers    = browsers(w(firefoxDesktop, 36), w(chromeDesktop, 34), w(msieModern, 27), w(operaDesktop, 3))
	xpBrowsers      = browsers(w(firefoxDesktop, 40), w(chromeDesktop, 28), w(msieXP, 29), w(operaDesktop, 3))
	vistaBrowsers   = browsers(w(firefoxDesktop, 40), w(chromeDesktop, 30), w(msieVista, 28), w(operaDesktop, 2))
	macBrowsers     = browsers(w(firefoxDesktop, 36), w(chromeDesktop, 30), w(safariDesktop, 32), w(operaDesktop, 2))
	linuxBrowsers   = browsers(w(firefoxDesktop, 62), w(chromeDesktop, 33), w(operaDesktop, 3), w(rareDesktop, 2))
	androidBrowsers = browsers(w(chromeMobile, 38), w(androidStock, 30), w(firefoxMobile, 28), w(operaDesktop, 2), w(silk, 2))
	iosBrowsers     = browsers(w(safariIOS, 62), w(safariMobile, 20), w(chromeMobile, 16), w(operaDesktop, 2))
	fxosBrowsers    = browsers(w(firefoxOS, 1))
	phoneBrowsers   = browsers(w(iemobile, 3), w(operaDesktop, 1))
	chromeOS        = browsers(w(chromeDesktop, 1))

	osTable = newWeighted(
		w(osProfile{"Windows NT 6.1", kindDesktop, windowsBrowsers, false}, 380),
		w(osProfile{"Windows NT 6.2", kindDesktop, win8Browsers, false}, 85),
		w(osProfile{"Windows NT 5.1", kindDesktop, xpBrowsers, true}, 105),
		w(osProfile{"Windows NT 6.0", kindDesktop, vistaBrowsers, true}, 40),
		w(osProfile{"Macintosh", kindDesktop, macBrowsers, false}, 140),
		w(osProfile{"Linux", kindDesktop, linuxBrowsers, false}, 60),
		w(osProfile{"Android", kindAndroid, androidBrowsers, false}, 70),
		w(osProfile{"iPhone", kindPhone, iosBrowsers, false}, 42),
		w(osProfile{"iPad", kindTablet, iosBrowsers, false}, 30),
		w(osProfile{"iPod", kindPhone, iosBrowsers, false}, 5),
		w(osProfile{"FirefoxOS", kindPhone, fxosBrowsers, false}, 18),
		// Rare: the default OS list maps these to Other.
		w(osProfile{"Windows NT 6.3", kindDesktop, win8Browsers, false}, 8),
		w(osProfile{"Windows NT 5.2", kindDesktop, xpBrowsers, true}, 2),
		w(osProfile{"Chrome OS", kindDesktop, chromeOS, false}, 3),
		w(osProfile{"Windows Phone", kindPhone, phoneBrowsers, false}, 3),
		w(osProfile{"BlackBerry", kindPhone, phoneBrowsers, false}, 1),
		w(osProfile{"FreeBSD", kindDesktop, linuxBrowsers, false}, 1),
	)

	desktopScreens = newWeighted(
		w([2]int{1366, 768}, 30), w([2]int{1920, 1080}, 20), w([2]int{1280, 800}, 10),
		w([2]int{1280, 1024}, 9), w([2]int{1440, 900}, 9), w([2]int{1600, 900}, 6),
		w([2]int{1024, 768}, 5), w([2]int{1680, 1050}, 5), w([2]int{2560, 1440}, 2),
		w([2]int{1920, 1200}, 2), w([2]int{1280, 720}, 1), w([2]int{2880, 1800}, 1))
	phoneScreens = newWeighted(
		w([2]int{320, 480}, 25), w([2]int{320, 568}, 25), w([2]int{360, 640}, 25),
		w([2]int{480, 800}, 10), w([2]int{384, 640}, 8), w([2]int{540, 960}, 4), w([2]int{600, 1024}, 3))
	tabletScreens = newWeighted(
		w([2]int{768, 1024}, 72), w([2]int{800, 1280}, 20), w([2]int{720, 1280}, 8))

	langs = newWeighted(
		w("en-US", 360), w("en", 120), w("es", 85), w("pt-BR", 70), w("de", 65),
		w("fr", 60), w("it", 30), w("pl", 30), w("ru", 28), w("tr", 20), w("nl", 20),
		w("ja", 18), w("en-GB", 14), w("es-MX", 8), w("zh-CN", 8), w("zh-TW", 5),
		w("sv-SE", 5), w("cs", 5), w("hu", 4), w("ko", 4), w("el", 3), w("da", 3),
		w("fi", 3), w("nb-NO", 2), w("ro", 2), w("uk", 3), w("id", 3), w("ar", 2),
		w("he", 1), w("bg", 1), w("sq", 1), w("ca", 1), w("es-AR", 1), w("vi", 1))

	rpAPIs = newWeighted(
		w("watch_without_onready", 34), w("watch_with_onready", 25), w("get", 24),
		w("getVerifiedEmail", 10), w("internal", 1))
)

// pickDevice draws an OS, browser, version and a screen consistent with
// the kind of device.
func pickDevice(r *rng, d *device) {
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
