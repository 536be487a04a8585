package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"
)

// csvReference is how csv wrote a version's CSV before it appended rows
// itself: one encoding/csv record per row. The two must agree byte for
// byte.
func (s *site) csvReference(d kpiDef) []byte {
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(csvHead)
	if r := s.results(d); r != nil {
		for _, seg := range s.segmentations(r) {
			bySeg := r.cells[seg]
			for _, segment := range s.segmentOrder(seg, bySeg) {
				for _, step := range r.steps {
					ser := bySeg[segment][step]
					if ser == nil {
						continue
					}
					for i := r.first; i <= r.last; i++ {
						if math.IsNaN(ser.v[i]) {
							continue
						}
						row := []string{csvSafe(d.ID), strconv.Itoa(d.Version), s.ds.days[i].Format(time.DateOnly),
							csvSafe(seg), csvSafe(segment), csvSafe(step), num(ser.v[i]), num(ser.n[i]), num(ser.d[i]),
							num(ser.lo[i]), num(ser.hi[i]), num(ser.obs[i])}
						if ser.sums == nil || ser.sums[i].N == 0 {
							row = append(row, make([]string, 8)...)
						} else {
							x := ser.sums[i]
							for _, v := range []float64{x.N, x.Y, x.Num, x.Den, x.W2, x.W2Y, x.W2Y2, x.WY2} {
								row = append(row, num(v))
							}
						}
						w.Write(row)
					}
				}
			}
		}
	}
	w.Flush()
	return buf.Bytes()
}

// TestCSVMatchesEncodingCSV checks the CSVs against encoding/csv, with
// hostile segment values, segments and steps that need quoting, and
// infinite sums.
func TestCSVMatchesEncodingCSV(t *testing.T) {
	for _, f := range []fixture{{days: 40, hostile: true}, {days: 90}} {
		db := newFixtureDB(t, f)
		ds, err := readDataset(context.Background(), db, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		s, err := newSite(ds, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		// Text that encoding/csv quotes, or not, for its own reasons.
		for _, d := range s.ds.defs {
			r := s.results(d)
			if r == nil || len(r.steps) == 0 {
				continue
			}
			src := r.cells["Total"]["Total"][r.steps[0]]
			for _, name := range []string{`a,"b"`, "two\nlines", "cr\rx", " lead", "\tx", `\.`, "=1+2", "", "\u00a0nbsp"} {
				r.cell("OS", name, r.steps[0], len(ds.days)).v = src.v
				r.cell("Odd "+name, "x", r.steps[0], len(ds.days)).v = src.v
				if name != "" {
					r.cell("Total", "Total", name, len(ds.days)).v = src.v
					r.steps = append(r.steps, name)
				}
			}
			if src.sums != nil {
				src.sums[r.last].WY2 = math.Inf(1)
			}
			break
		}
		for _, d := range s.ds.defs {
			got, err := s.csv(d)
			if err != nil {
				t.Fatal(err)
			}
			if want := s.csvReference(d); !bytes.Equal(got, want) {
				t.Errorf("%s v%d (%+v): the CSV differs from encoding/csv's (%d bytes against %d)", d.ID, d.Version, f, len(got), len(want))
			}
		}
	}
}

// TestAppendShortestIsAppendFloat checks the whole-number shortcut
// against strconv at and around its edges.
func TestAppendShortestIsAppendFloat(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, 1e6, -1e6, 1e6 - 1, -(1e6 - 1), 999999.5, 1e6 + 1,
		100000, 123456, 1e21, 1e-5, 0.0001, 12345.678, math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.Nextafter(1e6, 0), math.Nextafter(-1e6, 0), math.Nextafter(1, 2), math.Nextafter(1, 0)}
	for i := -2000; i <= 2000; i++ {
		vals = append(vals, float64(i), float64(i)*499.75, float64(i)*1000+0.25, float64(i)/7)
	}
	for _, v := range vals {
		got := string(appendShortest([]byte("x"), v))
		want := string(strconv.AppendFloat([]byte("x"), v, 'g', -1, 64))
		if got != want {
			t.Errorf("%v: %q, strconv writes %q", v, got, want)
		}
	}
}

// TestResultsReadByKeyOrByName reads kpi_results both ways, by the hash
// of each series' names and with every row's names, and compares what
// the site makes of them.
func TestResultsReadByKeyOrByName(t *testing.T) {
	db := newFixtureDB(t, fixture{days: 40, hostile: true})
	ctx := context.Background()
	byKey, err := readDataset(ctx, db, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	byName, err := readDataset(ctx, db, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	byName.results = map[kpiKey]*kpiResults{}
	place, err := byName.readResultValues(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := place(); err != nil {
		t.Fatal(err)
	}
	for _, r := range byName.results {
		r.sortSteps()
	}
	if len(byKey.results) != len(byName.results) || len(byKey.results) == 0 {
		t.Fatalf("%d versions with results by key, %d by name", len(byKey.results), len(byName.results))
	}
	a, err := newSite(byKey, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	b, err := newSite(byName, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	for k, ra := range byKey.results {
		rb := byName.results[k]
		if rb == nil {
			t.Fatalf("%v: no results by name", k)
		}
		if ra.first != rb.first || ra.last != rb.last || ra.hasRatio != rb.hasRatio || ra.hasBand != rb.hasBand || ra.hasSums != rb.hasSums ||
			!slices.Equal(ra.steps, rb.steps) || len(ra.cells) != len(rb.cells) {
			t.Errorf("%v: by key %+v, by name %+v", k, ra, rb)
		}
	}
	for _, d := range byKey.defs {
		ca, err := a.csv(d)
		if err != nil {
			t.Fatal(err)
		}
		cb, err := b.csv(d)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ca, cb) {
			t.Errorf("%s v%d: the CSV differs by key and by name", d.ID, d.Version)
		}
		pa, err := json.Marshal(a.kpiPage(d).Data)
		if err != nil {
			t.Fatal(err)
		}
		pb, err := json.Marshal(b.kpiPage(d).Data)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pa, pb) {
			t.Errorf("%s v%d: the page's data differs by key and by name", d.ID, d.Version)
		}
	}
}

// TestPageJSONIsEncodingJSON checks the hand-written chart data of every
// KPI page against json.Marshal, hostile values included.
func TestPageJSONIsEncodingJSON(t *testing.T) {
	for _, f := range []fixture{{days: 40, hostile: true}, {days: 90}} {
		db := newFixtureDB(t, f)
		ds, err := readDataset(context.Background(), db, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		s, err := newSite(ds, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		pages := []pageJSON{s.emptyPageData(s.ds.defs[0]), {}}
		for _, d := range s.ds.defs {
			pages = append(pages, s.kpiPage(d).Data)
		}
		// Strings that encoding/json escapes, and invalid UTF-8.
		odd := []string{"<b>&amp;</b>", "a\"b\\c", "\x00\x1f\t\n", "\u2028\u2029", "bad \xff\xfe utf-8", "é ü 漢"}
		pages = append(pages, pageJSON{KPI: odd[0], Title: odd[1], Unit: odd[2], Kind: odd[3], YLabel: odd[4], Estimate: odd[5],
			Days: odd, Steps: []string{}, Segmentations: []segJSON{{Name: odd[4], Segments: []segmentJSON{{Name: odd[3], Binary: true,
				V: []numbers{{1, math.NaN(), math.Inf(1), -0.5, 1e21}, nil}, Base: &sumsJSON{}, S: []sumsJSON{{WY2: numbers{2}}}}}}},
			Milestones: []milestoneJSON{{N: 1, Label: odd[0], Href: odd[4]}}})
		for i, p := range pages {
			want, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(p.js()); got != string(want) {
				t.Errorf("page %d (%s v%d, %+v):\n got %.300s\nwant %.300s", i, p.KPI, p.Version, f, got, want)
			}
		}
	}
}
