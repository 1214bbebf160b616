build/fuzz/ui/draw.o: ui/draw.c ui/screen.h

ui/screen.h:
