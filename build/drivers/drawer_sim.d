build/drivers/drawer_sim.o: drivers/drawer_sim.c drivers/drawer.h \
 src/config.h src/loop.h
drivers/drawer.h:
src/config.h:
src/loop.h:
