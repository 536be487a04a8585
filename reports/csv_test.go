package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
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
