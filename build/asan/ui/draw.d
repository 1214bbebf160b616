build/asan/ui/draw.o: ui/draw.c ui/screen.h
ui/screen.h:
