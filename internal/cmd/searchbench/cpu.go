package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// cpuMark is a point in time with the machine's and this process's CPU
// ticks, to tell how much of the machine other processes used meanwhile:
// on a small machine a concurrent build or benchmark skews every number.
type cpuMark struct {
	at         time.Time
	busy, self int64 // clock ticks (USER_HZ, 100 per second on Linux)
}

func markCPU() cpuMark {
	m := cpuMark{at: time.Now()}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
		for i := 1; i < len(f) && i <= 8; i++ {
			n, _ := strconv.ParseInt(f[i], 10, 64)
			if i != 4 && i != 5 { // not idle, not iowait
				m.busy += n
			}
		}
	}
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		// Fields after the command name, which is in parentheses.
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		for _, i := range []int{11, 12, 13, 14} { // utime stime cutime cstime
			if i < len(f) {
				n, _ := strconv.ParseInt(f[i], 10, 64)
				m.self += n
			}
		}
	}
	return m
}

// othersSince says how much of the machine other processes used since m.
func othersSince(m cpuMark) string {
	now := markCPU()
	elapsed := now.at.Sub(m.at).Seconds()
	if elapsed <= 0 {
		return "–"
	}
	others := float64((now.busy-m.busy)-(now.self-m.self)) / 100
	return fmt.Sprintf("%.0f%% of %d CPUs", max(0, 100*others/(elapsed*float64(runtime.NumCPU()))), runtime.NumCPU())
}

// settle waits, up to two minutes, until this process has been idle for two
// seconds in a row: Bluge merges segments in the background after a bulk
// build, and queries measured meanwhile would share the CPU with it.
func settle(log io.Writer) {
	start := time.Now()
	idle := 0
	prev := markCPU()
	for idle < 2 && time.Since(start) < 2*time.Minute {
		time.Sleep(time.Second)
		cur := markCPU()
		if cur.self-prev.self < 5 { // under 5% of one CPU
			idle++
		} else {
			idle = 0
		}
		prev = cur
	}
	logf(log, "background work settled after %v", time.Since(start).Round(time.Second))
}
