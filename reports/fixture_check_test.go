package reports

import (
	"math"
	"testing"
	"time"

	"github.com/persona-kpi/kpi/stats"
)

// TestFixtureEstimatesAgreeWithPackageStats checks the fixture itself:
// each estimate row's value and interval are package stats's of its
// sums, and the weighted total of sign-in attempts is far above the
// sampled count, as weights of 2 to 10 make it.
func TestFixtureEstimatesAgreeWithPackageStats(t *testing.T) {
	start := time.Now()
	db := newFixtureDB(t, fixture{days: 30, hostile: true})
	t.Logf("fixture built in %v", time.Since(start))
	rows, err := db.Query(`SELECT r.kpi, r.version, k.estimate, value, lo, hi, n, s_blobs, s_y, s_wy, s_w, s_w2, s_w2y, s_w2y2, s_wy2
		FROM kpi_results r JOIN kpis k USING (kpi, version) WHERE k.estimate IN ('total', 'rate')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var checked int
	for rows.Next() {
		var id, est string
		var version int
		var value, lo, hi, n float64
		var s stats.Sums
		if err := rows.Scan(&id, &version, &est, &value, &lo, &hi, &n, &s.N, &s.Y, &s.Num, &s.Den, &s.W2, &s.W2Y, &s.W2Y2, &s.WY2); err != nil {
			t.Fatal(err)
		}
		iv := stats.Total(s)
		if est == "rate" {
			iv = stats.Rate(s)
		}
		if math.Abs(iv.Value-value) > 1e-9 || math.Abs(iv.Lo-lo) > 1e-9 || math.Abs(iv.Hi-hi) > 1e-9 {
			t.Fatalf("%s v%d: row %v [%v, %v], stats says %+v", id, version, value, lo, hi, iv)
		}
		checked++
	}
	if checked < 1000 {
		t.Errorf("only %d estimate rows", checked)
	}
	var weighted, sampled float64
	if err := db.QueryRow(`SELECT sum(value), sum(n) FROM kpi_results WHERE kpi = 'sign_in_attempts' AND version = 3 AND segmentation = 'Total'`).Scan(&weighted, &sampled); err != nil {
		t.Fatal(err)
	}
	if weighted < 3*sampled {
		t.Errorf("weighted %v against %v sampled blobs", weighted, sampled)
	}
}
