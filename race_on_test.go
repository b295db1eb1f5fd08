//go:build race

package main

// raceBuild tells the scripts ([race]) that this test binary, and so the
// opkuma it runs, has the race detector, which multiplies memory use.
const raceBuild = true
