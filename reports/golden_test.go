package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestChartsMatchGolden renders small charts and compares them with the
// files under testdata/golden; run with -update after a deliberate change
// and look at the new files (they open in a browser).
func TestChartsMatchGolden(t *testing.T) {
	tpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	day0 := time.Date(2023, 12, 28, 0, 0, 0, 0, time.UTC)
	var days []time.Time
	for i := range 10 {
		days = append(days, day0.AddDate(0, 0, i))
	}
	nan := func() float64 { var z float64; return z / z }()
	cases := map[string]struct {
		name string
		data any
	}{
		"linechart.svg": {"linechart", newLineChart(lineInput{days: days, lines: []lineSeries{
			{Name: "1 - Enter email", Color: "c0", Dash: "d0", Values: []float64{120, 130, 125, 140, nan, 150, 160, 155, 170, 180}},
			{Name: "2 - <b>Choose</b> password", Color: "c1", Dash: "d1", Values: []float64{80, 85, 90, 88, nan, nan, 100, 110, nan, 120}},
		}, unit: "count", yLabel: "Sessions reaching the step", aria: "A test chart", milestones: []milestoneView{
			{Label: "New year <script>", From: "2024-01-01", To: "2024-01-01", first: day0.AddDate(0, 0, 4), last: day0.AddDate(0, 0, 4)},
			{Label: "Close by", From: "2024-01-02", To: "2024-01-02", first: day0.AddDate(0, 0, 5), last: day0.AddDate(0, 0, 5)},
			{Label: "Outage", From: "2024-01-03", To: "2024-01-05", first: day0.AddDate(0, 0, 6), last: day0.AddDate(0, 0, 8)},
		}}, chartSizes[2])},
		// A band around a line: two runs of days with an interval, one
		// day alone (a narrow bar), and a day with a value but none.
		"linechart-band.svg": {"linechart", newLineChart(lineInput{days: days, lines: []lineSeries{
			{Name: "Estimated", Color: "c0", Values: []float64{120, 130, 125, 140, nan, 150, 160, 155, 170, 180},
				Lo: []float64{100, 112, 104, nan, nan, 128, nan, 131, 149, 160},
				Hi: []float64{141, 150, 146, nan, nan, 171, nan, 178, 192, 205}},
		}, unit: "count", yLabel: "Sessions per day", aria: "A chart with a band"}, chartSizes[2])},
		"spark.svg":          {"spark", newSpark([]float64{0.5, 0.52, nan, 0.49, 0.55}, "A sparkline")},
		"funnel.svg":         {"funnel", newFunnel([]string{"1 - Enter email", "2 - Choose password"}, []float64{200, 150}, "A funnel", chartSizes[0])},
		"funnel-stacked.svg": {"funnel", newFunnel([]string{"1 - Enter email", "4 - Logged in (assertion generated)"}, []float64{200, 150}, "A funnel", chartSizes[1])},
	}
	for file, c := range cases {
		t.Run(file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tpl.sets["kpi"].ExecuteTemplate(&buf, c.name, c.data); err != nil {
				t.Fatal(err)
			}
			// A standalone SVG needs its namespace to open in a browser.
			got := bytes.Replace(buf.Bytes(), []byte("<svg "), []byte(`<svg xmlns="http://www.w3.org/2000/svg" `), 1)
			path := filepath.Join("testdata", "golden", file)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestChartsMatchGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", file, got, want)
			}
		})
	}
}
