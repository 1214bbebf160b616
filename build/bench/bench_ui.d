build/bench/bench_ui: bench/bench_ui.c
