# scripts/report.gp - the plots of scripts/report.sh (run by it with
# data, out, fmt, term, ncdf and maintitle set).
if (term eq 'svg') { set terminal svg size 1100,520 dynamic enhanced font 'Sans,12' background '#ffffff' } \
else { set terminal term size 1100,520 enhanced font 'Sans,11' }
set datafile separator "\t"
set datafile missing "?"
set grid ytics lc rgb '#dddddd'
set key outside top right box opaque
o(name) = sprintf('%s/%s.%s', out, name, fmt)

# 1. walk cost per granule combination (grouped bars: native, then S2 granule)
set output o('walk_cost')
set multiplot layout 1,2 title maintitle."\nWalk cost per granule combination (stage 1 x stage 2)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xlabel 'stage-1 granule'
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0   # headroom: the tallest bar must not touch the frame
set ylabel 'mean walk latency (cycles)'
set title 'Walk cycles'
plot data.'/walk_cycles.mean.dat' using 2:xtic(1) title 'native', \
     '' using 3 title 'virt, S2 4K', '' using 4 title 'virt, S2 16K', '' using 5 title 'virt, S2 64K'
set ylabel 'mean descriptor fetches per walk (references)'
set title 'References per walk'
plot data.'/walk_refs.mean.dat' using 2:xtic(1) title 'native', \
     '' using 3 title 'virt, S2 4K', '' using 4 title 'virt, S2 16K', '' using 5 title 'virt, S2 64K'
unset multiplot

# 2. CDF of walk latency
set output o('walk_latency_cdf')
set title maintitle."\nCDF of page-walk latency"
set style data steps
set xlabel 'walk latency (cycles, histogram bucket lower bound)'
set ylabel 'fraction of walks with latency <= x'
set yrange [0:1.02]
set logscale x 2
set key outside right top box opaque
if (ncdf > 0) {
    plot for [i=0:ncdf-1] data.'/cdf.dat' index i using 1:2 with steps lw 2 \
         title system(sprintf("sed -n '%dp' '%s/cdf.titles'", i+1, data))
} else {
    set label 1 'no walk_cycles histogram in the selected runs' at graph 0.5,0.5 center
    plot [1:2] NaN notitle
}
unset logscale x
unset label 1

# 3. TLB misses per thousand accesses per level
set output o('tlb_mpka')
set title maintitle."\nTLB misses per thousand accesses"
set style data histograms
set style histogram clustered gap 1
set xlabel 'run'
set ylabel 'misses per 1000 accesses (MPKA)'
set yrange [0:*]
set xtics rotate by -30
plot data.'/mpka.dat' using 2:xtic(1) title 'L1 I-TLB', '' using 3 title 'L1 D-TLB', \
     '' using 4 title 'L2 TLB'

# 4. where walk fetches were served, stacked per stage
set output o('walk_fetch_served')
set multiplot layout 1,2 title maintitle."\nWhere page-walk descriptor fetches were served"
set style histogram rowstacked
set ylabel 'descriptor fetches per walk'
set title 'Stage 1 (guest tables)'
plot data.'/served.dat' using 2:xtic(1) title 'L1', '' using 3 title 'L2', \
     '' using 4 title 'LLC', '' using 5 title 'DRAM'
set title 'Stage 2 (hypervisor tables)'
plot data.'/served.dat' using 6:xtic(1) title 'L1', '' using 7 title 'L2', \
     '' using 8 title 'LLC', '' using 9 title 'DRAM'
unset multiplot
