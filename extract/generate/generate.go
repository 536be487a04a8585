package generate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// Generator makes realistic KPIggybank rows, deterministic for a seed.
//
// It simulates the population of dialog sessions. The server sampled each
// session with its user agent's rate (simDevice.rate); a sampled session
// sends a blob. From 2013-10-01 every session, sampled or not, also
// yields the server's census entries (docs/data.md 1.4), so the census
// agrees with the blobs weighted by 1/sample_rate up to sampling noise.
//
// A day's rows depend only on (Seed, day): the day is cut into 10-minute
// slots (the blob timestamps' privacy rounding), each slot's number of
// sessions comes from the day's plan, and each session is built from its
// own seed derived from (Seed, day, slot, index). So any split of time
// into windows yields the same rows, and memory stays bounded whatever
// PerDay is.
type Generator struct {
	Seed   int64
	PerDay int // average blobs (sampled sessions) per day; 0 or less makes no rows
}

const (
	genSlotMs      = 10 * 60 * 1000
	genDayMs       = 24 * 60 * 60 * 1000
	genSlotsPerDay = genDayMs / genSlotMs
	// dupThreshold makes 0.3% of blobs delivered twice, as KPIggybank
	// sometimes does.
	dupThreshold = (1 << 64) / 1000 * 3
)

// trendRefDay is 2013-06-01 (days since 1970), the middle of Persona's
// busy years: volume is PerDay × weekday factor there.
const trendRefDay = 15857

// Weekday factors, Sunday first; their mean is 1 so a week averages PerDay.
var weekdayFactor = [7]float64{0.83, 1.08, 1.10, 1.09, 1.07, 1.00, 0.83}

// Name describes the source for logs and the runs table.
func (g Generator) Name() string {
	return fmt.Sprintf("generate(seed=%d,per_day=%d)", g.Seed, g.PerDay)
}

// dayPlan is one day's sessions, spread over its slots.
type dayPlan struct {
	seed  uint64
	era   era
	count [genSlotsPerDay]int
}

func (g Generator) daySeed(day int64) uint64 { return mixSeed(uint64(g.Seed), uint64(day)) }

// daySessions is the number of dialog sessions on a day: PerDay blobs ×
// weekday × a slow growth trend × a little noise, divided by the mean
// sample rate.
func (g Generator) daySessions(day int64) int {
	if g.PerDay <= 0 {
		return 0
	}
	wd := weekdayFactor[((day+4)%7+7)%7] // 1970-01-01 was a Thursday
	// Growth of ~6% a year around the reference, levelling off at ±8% so
	// that any date's volume stays near PerDay.
	trend := 1 + 0.08*math.Tanh(float64(day-trendRefDay)/365)
	r := simRand{mixSeed(g.daySeed(day), 0x701a1)}
	noise := 1 + math.Max(-0.1, math.Min(0.1, 0.04*r.normal()))
	return int(math.Round(float64(g.PerDay) * wd * trend * noise / meanSampleRate))
}

// plan spreads the day's sessions over the slots along a daily curve (the
// users are mostly in Europe and the Americas) with some slot-to-slot
// noise. Cumulative rounding makes the slots add up to the total exactly.
func (g Generator) plan(day int64, p *dayPlan) {
	p.seed = g.daySeed(day)
	p.era = eraOf(day)
	total := float64(g.daySessions(day))
	r := simRand{mixSeed(p.seed, 0x5107)}
	var weights [genSlotsPerDay]float64
	var sum float64
	for s := range weights {
		h := (float64(s) + 0.5) / 6
		v := 1 + 0.55*math.Cos(2*math.Pi*(h-16)/24) + 0.12*math.Cos(4*math.Pi*(h-19)/24)
		v *= 0.85 + 0.3*r.float()
		weights[s] = v
		sum += v
	}
	var cum float64
	prev := 0
	for s, v := range weights {
		cum += v
		upTo := int(math.Round(total * cum / sum))
		p.count[s] = upTo - prev
		prev = upTo
	}
}

func slotSeed(daySeed uint64, slot int) uint64 { return mixSeed(daySeed, uint64(slot)+1) }

func rowSeed(slotSeed uint64, i int) uint64 { return mixSeed(slotSeed, uint64(i)<<1) }

// isDup says whether the blob of session i of a slot is delivered a
// second time.
func isDup(slotSeed uint64, i int) bool {
	return mixSeed(slotSeed, uint64(i)<<1|1) < dupThreshold
}

// genState holds the buffers reused for every row of a Rows call.
type genState struct {
	b   simBlob
	buf []byte
	ts  []byte // the slot's timestamp (ms) as text
	ua  []byte // the session's census user_agent member
}

// blobRow builds the simulated session's blob row in st.buf.
func (st *genState) blobRow(seed uint64, slotStart int64) []byte {
	r := simRand{seed}
	idHi, idLo := r.u64(), r.u64()
	b := &st.b
	ts := slotStart
	if b.ts == tsSeconds {
		ts /= 1000 // slot starts are whole seconds
	}
	buf := append(st.buf[:0], `{"id":"`...)
	buf = appendHex128(buf, idHi, idLo)
	buf = append(buf, `","key":`...)
	buf = appendJSONInt(buf, ts, false)
	buf = append(buf, `,"value":`...)
	buf = b.appendBlob(buf, ts)
	buf = append(buf, '}')
	st.buf = buf
	return buf
}

// session simulates one session; simulated is false for an unsampled
// session before the census era, which yields no row at all.
func (st *genState) session(seed uint64, e *era) (sampled, simulated bool) {
	sampled = st.b.start(seed, e)
	if !sampled && !e.census {
		return false, false
	}
	st.b.simulate(seed, sampled)
	if st.b.nCensus > 0 {
		st.ua = st.b.appendCensusUA(st.ua[:0])
	}
	return sampled, true
}

// censusRow builds census entry k of the simulated session in st.buf.
func (st *genState) censusRow(seed uint64, k int) []byte {
	st.buf = st.b.appendCensus(st.buf[:0], seed, k, st.ts, st.ua)
	return st.buf
}

// slot yields the rows of one slot: each session's blob (if sampled) and
// census entries, then the duplicates, rebuilt from their seeds so that
// nothing is kept in memory.
func (st *genState) slot(p *dayPlan, s int, start int64, fn func(row []byte) error) error {
	ss := slotSeed(p.seed, s)
	e := &p.era
	st.ts = strconv.AppendInt(st.ts[:0], start, 10)
	for i := 0; i < p.count[s]; i++ {
		seed := rowSeed(ss, i)
		sampled, simulated := st.session(seed, e)
		if !simulated {
			continue
		}
		if sampled {
			if err := fn(st.blobRow(seed, start)); err != nil {
				return err
			}
		}
		for k := 0; k < st.b.nCensus; k++ {
			if err := fn(st.censusRow(seed, k)); err != nil {
				return err
			}
		}
	}
	for i := 0; i < p.count[s]; i++ {
		seed := rowSeed(ss, i)
		blobDup := isDup(ss, i)
		_, censusMaybe := censusDup(seed, 1)
		if !blobDup && !(e.census && censusMaybe) {
			continue
		}
		sampled, simulated := st.session(seed, e)
		if !simulated {
			continue
		}
		if blobDup && sampled {
			if err := fn(st.blobRow(seed, start)); err != nil {
				return err
			}
		}
		if k, ok := censusDup(seed, st.b.nCensus); ok {
			if err := fn(st.censusRow(seed, k)); err != nil {
				return err
			}
		}
	}
	return nil
}

func genFloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Rows calls fn with the JSON text of each KPIggybank row
// {"id":..,"key":..,"value":{..}} whose timestamp (normalized to ms; the
// row key when the blob has none) lies in [start, end), in timestamp
// order: blobs and, from 2013-10-01, the server's census entries. fn must
// not retain the slice. Rows returns fn's first error.
func (g Generator) Rows(start, end time.Time, fn func(row []byte) error) error {
	if g.PerDay <= 0 || !end.After(start) {
		return nil
	}
	first, last := start.UnixMilli(), end.UnixMilli()-1
	st := genState{buf: make([]byte, 0, 4096), ts: make([]byte, 0, 16), ua: make([]byte, 0, 128), b: simBlob{events: make([]simEvent, 0, 48)}}
	var p dayPlan
	for day := genFloorDiv(first, genDayMs); day <= genFloorDiv(last, genDayMs); day++ {
		g.plan(day, &p)
		for s := 0; s < genSlotsPerDay; s++ {
			start := day*genDayMs + int64(s)*genSlotMs
			if start < first || start > last || p.count[s] == 0 {
				continue
			}
			if err := st.slot(&p, s, start, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// errFirstRows stops Rows once FirstRows has its rows.
var errFirstRows = errors.New("generate: enough rows")

// FirstRows calls fn with the first n rows Rows yields from start on (at
// most n: fewer where the days until end have fewer), as Rows does.
func (g Generator) FirstRows(start, end time.Time, n int, fn func(row []byte) error) error {
	rows := 0
	err := g.Rows(start, end, func(row []byte) error {
		if rows == n {
			return errFirstRows
		}
		rows++
		return fn(row)
	})
	if errors.Is(err, errFirstRows) {
		return nil
	}
	return err
}

// DayCount is the number of rows Rows yields for the whole UTC day of
// day (blobs, census entries and duplicates), without building them.
func (g Generator) DayCount(day time.Time) int {
	blobs, census := g.dayCounts(day)
	return blobs + census
}

// dayCounts counts a day's blob rows and census rows, duplicates
// included. A census entry depends only on its session's decisions, so
// a dry run of each session counts them.
func (g Generator) dayCounts(day time.Time) (blobs, census int) {
	if g.PerDay <= 0 {
		return 0, 0
	}
	var p dayPlan
	g.plan(genFloorDiv(day.UnixMilli(), genDayMs), &p)
	var b simBlob
	for s, c := range p.count {
		ss := slotSeed(p.seed, s)
		for i := 0; i < c; i++ {
			seed := rowSeed(ss, i)
			if b.start(seed, &p.era) {
				blobs++
				if isDup(ss, i) {
					blobs++
				}
			}
			if !p.era.census {
				continue
			}
			b.simulate(seed, false)
			census += b.nCensus
			if _, ok := censusDup(seed, b.nCensus); ok {
				census++
			}
		}
	}
	return blobs, census
}

// Fetch writes the rows of [start, end) as a JSON array, exactly like
// KPIggybank's GET /wsapi/interaction_data response, to a writer from
// open (called once).
func (g Generator) Fetch(ctx context.Context, start, end time.Time, open func() (io.Writer, error)) error {
	w := window{Start: start, End: end}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("generate %s: %w", w, err)
	}
	out, err := open()
	if err != nil {
		return fmt.Errorf("generate %s: %w", w, err)
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	_ = bw.WriteByte('[')
	n := 0
	err = g.Rows(start, end, func(row []byte) error {
		if n > 0 {
			_ = bw.WriteByte(',')
		}
		n++
		if n%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		_, err := bw.Write(row)
		return err
	})
	if err == nil {
		_ = bw.WriteByte(']')
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("generate %s: %w", w, err)
	}
	return nil
}

// window is a span of time [Start, End), named in errors.
type window struct{ Start, End time.Time }

func (w window) String() string {
	return fmt.Sprintf("%s..%s", w.Start.Format("2006-01-02T15:04Z"), w.End.Format("2006-01-02T15:04Z"))
}
