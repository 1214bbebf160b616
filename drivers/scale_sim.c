/* The simulated scale driver: the real serial engine (scale_serial.c) against the
 * simulated scale device on a pseudo-terminal (scale_simdev.c), so the till, the e2e tests
 * and a demo weigh through the same bytes a real scale would send.
 *   scale.sim_protocol  dialog06 | ncr   (default dialog06)
 *   scale.sim_script    the device's script (scale_simdev.h), default "stable=1000"
 * and the serial keys (baud, format, timeout_ms, poll_ms, min_g, checksum_table). */
#include <stdio.h>
#include <string.h>

#include "drivers/scale.h"
#include "drivers/scale_serial.h"
#include "drivers/scale_simdev.h"
#include "src/config.h"

struct scale_sim {
    struct scale_serial ser;  /* first: the serial engine's callbacks get this pointer */
    struct scale_simdev *dev;
};

static int sim_open(void *priv, struct loop *loop, const struct config *cfg, const char *prefix, char *err,
                    size_t errlen)
{
    struct scale_sim *s = priv;
    char key[96];
    snprintf(key, sizeof key, "%s.sim_protocol", prefix);
    const char *proto_name = config_get(cfg, key, "dialog06");
    enum scale_proto proto;
    if (strcmp(proto_name, "dialog06") == 0) {
        proto = SCALE_PROTO_DIALOG06;
    } else if (strcmp(proto_name, "ncr") == 0) {
        proto = SCALE_PROTO_NCR;
    } else {
        snprintf(err, errlen, "%s must be dialog06 or ncr", key);
        return -1;
    }
    snprintf(key, sizeof key, "%s.sim_script", prefix);
    char slave[128];
    s->dev = scale_simdev_open(loop, proto, config_get(cfg, key, "stable=1000"), slave, sizeof slave, err, errlen);
    if (!s->dev)
        return -1;
    if (scale_serial_setup(&s->ser, loop, proto, slave, cfg, prefix, err, errlen)) {
        scale_serial_close(&s->ser);
        scale_simdev_close(s->dev);
        return -1;
    }
    if (s->ser.has_table)
        scale_simdev_table(s->dev, (const uint8_t(*)[D06_CHECKSUM_LEN])s->ser.table);
    else {
        scale_simdev_default_table(s->ser.table);
        s->ser.has_table = 1;
    }
    return 0;
}

static void sim_close(void *priv)
{
    struct scale_sim *s = priv;
    scale_serial_close(&s->ser);
    scale_simdev_close(s->dev);
}

static int sim_weigh(void *priv, int64_t unit_price, int64_t tare_g, const char *text, scale_cb cb, void *ctx)
{
    return scale_serial_weigh(&((struct scale_sim *)priv)->ser, unit_price, tare_g, text, cb, ctx);
}

static void sim_cancel(void *priv)
{
    scale_serial_cancel(&((struct scale_sim *)priv)->ser);
}

static void sim_status(void *priv, char *text, size_t len)
{
    char inner[200];
    scale_serial_status(&((struct scale_sim *)priv)->ser, inner, sizeof inner);
    snprintf(text, len, "sim (%s)", inner);
}

const struct scale_ops scale_sim_ops = {
    .drv = {.kind = DRIVER_SCALE, .version = SCALE_OPS_VERSION, .priv_size = sizeof(struct scale_sim),
            .name = "sim"},
    .open = sim_open,
    .close = sim_close,
    .weigh = sim_weigh,
    .cancel = sim_cancel,
    .status = sim_status,
};
