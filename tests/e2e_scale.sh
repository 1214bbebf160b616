#!/bin/bash
# End to end: the checkout scale in the real till, with the simulated scale on a
# pseudo-terminal (scale.driver = sim).  A weighed item waits through motion and takes the
# stable weight; below minimum, overload and under zero are refused with the reason; a
# weight cannot be typed while the scale is configured; a silent scale ends in "does not
# answer" while keys are answered; unplugged mid-weighing gives a clear message and the
# sale goes on.
. "$(dirname "$0")/lib.sh"
t_tmpdir
export XDG_DATA_HOME=$T_DIR/data XDG_CONFIG_HOME=$T_DIR/config
APPLES=2110010000001   # Apples Braeburn, 2,99 €/kg

# start_till SCRIPT [more --set]: a fresh till with the simulated scale doing SCRIPT
start_till() {
    script=$1; shift
    rm -rf "$T_DIR/data"
    t_tmux_start 100x30 "$TILL_BIN" --set scale.driver=sim --set "scale.sim_script=$script" \
        --set scale.poll_ms=50 "$@"
    check "sale screen opens ($script)" t_wait_for "Empty sale"
}
stop_till() {
    check "the sale is cancelled before quitting" t_empty_sale
    t_keys F10
    check "till exits" t_wait_exit 10
}

start_till "motion/1500,stable=1234"
t_keys $APPLES Enter
check "the scale is asked: Weighing…" t_wait_for "Weighing"
check "the stable weight is taken, priced by it" t_wait_for "TOTAL 3,69 €"   # 2.99 x 1.234
check "the weight on the line" t_wait_for "1,234"
stop_till

start_till "silent" --set scale.timeout_ms=4000
t_keys $APPLES Enter
check "weighing a silent scale" t_wait_for "Weighing"
check "no weight field to type into" t_wait_for "On the scale (Enter: again):"
t_keys -l "0,5"
t0=$(date +%s%N)
t_keys Enter
check "a typed weight is refused" t_wait_for "comes from the scale"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "a key answered in $ms ms while the scale is silent"
check "keys never wait on the silent scale (answered in ${ms} ms, under 2 s)" [ "$ms" -lt 2000 ]
check "a silent scale ends in a message" t_wait_for "does not answer" 20
t_keys 4010433218190 Enter
check "the sale goes on" t_wait_for "Whole Milk 1L"
stop_till

for case in "below_min:minimum" "overload:overloaded" "under_zero:under zero"; do
    start_till "${case%%:*}"
    t_keys $APPLES Enter
    check "${case%%:*} refused with the reason" t_wait_for "${case#*:}"
    check "${case%%:*}: nothing sold" t_wait_for "Empty sale"
    stop_till
done

start_till "motion/1000,unplug"
t_keys $APPLES Enter
check "weighing before the unplug" t_wait_for "Weighing"
check "unplugged mid-weighing says so" t_wait_for "unplugged"
t_keys 4010433218190 Enter
check "the sale goes on after the unplug" t_wait_for "Whole Milk 1L"
stop_till
finish
