#!/usr/bin/env python3
"""Generates assets/demo-catalog.csv: a few hundred plausible products with valid EAN-13s.
Run once; the CSV is committed (the build embeds it). Deterministic."""
import random

random.seed(42)

def ean13(body12):
    s = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - s % 10) % 10)

# (name, price in cents, unit, tax class, age restricted; minimum ages below)
base = [
    ("Whole Milk 1L", 119, "each", "red", 0), ("Semi-Skimmed Milk 1L", 109, "each", "red", 0),
    ("Butter 250g", 229, "each", "red", 0), ("Free Range Eggs 10", 329, "each", "red", 0),
    ("Greek Yoghurt 500g", 199, "each", "red", 0), ("Cheddar Cheese 200g", 279, "each", "red", 0),
    ("Sourdough Bread 750g", 349, "each", "red", 0), ("Wholegrain Toast 500g", 179, "each", "red", 0),
    ("Croissant", 89, "each", "red", 0), ("Baguette", 129, "each", "red", 0),
    ("Spaghetti 500g", 149, "each", "red", 0), ("Basmati Rice 1kg", 299, "each", "red", 0),
    ("Tomato Passata 500g", 119, "each", "red", 0), ("Olive Oil Extra Virgin 750ml", 699, "each", "red", 0),
    ("Ground Coffee 500g", 649, "each", "red", 0), ("Black Tea 50 bags", 249, "each", "red", 0),
    ("Dark Chocolate 100g", 159, "each", "red", 0), ("Oat Flakes 500g", 99, "each", "red", 0),
    ("Mineral Water 1.5L", 49, "each", "std", 0), ("Orange Juice 1L", 199, "each", "std", 0),
    ("Cola 1.5L", 169, "each", "std", 0), ("Lemonade 0.5L", 119, "each", "std", 0),
    ("Energy Drink 250ml", 149, "each", "std", 0), ("Lager Beer 0.5L", 109, "each", "std", 1),
    ("Red Wine Merlot 0.75L", 699, "each", "std", 1), ("White Wine Riesling 0.75L", 799, "each", "std", 1),
    ("Gin 0.7L", 1999, "each", "std", 1), ("Whisky 12 Years 0.7L", 3499, "each", "std", 1),
    ("Cigarettes 20", 820, "each", "std", 1), ("Dish Soap 500ml", 149, "each", "std", 0),
    ("Laundry Detergent 1.5L", 799, "each", "std", 0), ("Toilet Paper 8 rolls", 399, "each", "std", 0),
    ("Kitchen Towels 4 rolls", 299, "each", "std", 0), ("Toothpaste 75ml", 189, "each", "std", 0),
    ("Shampoo 300ml", 349, "each", "std", 0), ("AA Batteries 4 pack", 599, "each", "std", 0),
    ("Light Bulb LED E27", 499, "each", "std", 0), ("Notebook A5", 249, "each", "std", 0),
    ("Ballpoint Pens 5", 299, "each", "std", 0), ("Daily Newspaper", 250, "each", "red", 0),
    ("Gift Card Envelope", 100, "each", "zero", 0), ("Deposit Bottle Return", 25, "each", "zero", 0),
]
weighed = [
    ("Apples Braeburn", 299, "kg"), ("Bananas", 179, "kg"), ("Tomatoes on the Vine", 399, "kg"),
    ("Potatoes", 149, "kg"), ("Carrots", 129, "kg"), ("Red Grapes", 499, "kg"),
    ("Minced Beef", 1299, "kg"), ("Chicken Breast", 1199, "kg"), ("Gouda Cheese", 1590, "kg"),
    ("Salmon Fillet", 2490, "kg"),
]
flavours = ["Strawberry", "Vanilla", "Chocolate", "Lemon", "Cherry", "Mango", "Hazelnut",
            "Coconut", "Raspberry", "Caramel", "Peach", "Mint"]
kinds = [("Ice Cream 500ml", 349, "red"), ("Yoghurt Drink 250ml", 99, "red"),
         ("Cereal Bar", 69, "red"), ("Jam 340g", 229, "red"), ("Cookies 200g", 189, "red"),
         ("Protein Shake 330ml", 249, "std"), ("Candle", 399, "std"), ("Hand Soap 250ml", 179, "std"),
         ("Soda 0.33L", 79, "std"), ("Tea 20 bags", 199, "red"), ("Muffin", 149, "red"),
         ("Lip Balm", 249, "std"), ("Gum 10 pieces", 99, "red"), ("Smoothie 250ml", 229, "std"),
         ("Sorbet 500ml", 399, "red"), ("Syrup 700ml", 499, "std"), ("Chewing Candy 100g", 129, "red"),
         ("Scented Oil 10ml", 599, "std"), ("Cake Slice", 249, "red"), ("Frozen Dessert 4x", 449, "red")]
rows = []
used = set()
def code():
    while True:
        c = ean13("40" + "".join(random.choice("0123456789") for _ in range(10)))
        if c not in used:
            used.add(c)
            return c

for name, price, unit, tax, age in base:
    rows.append((name, price, unit, tax, age, code()))
for k, price, tax in kinds:
    for f in flavours:
        rows.append((f"{f} {k}", price + random.choice([0, 10, 20, 30]), "each", tax, 0, code()))
# Weighed items: variable-measure EAN-13 "21 IIII 0 PPPPP C" (item code IIII, price or
# weight in P); the catalog keeps the code with the measure zeroed, which is also what a
# cashier types for an item without a scale label.
for i, (name, price, unit) in enumerate(weighed):
    rows.append((name, price, unit, "red", 0, ean13("21" + str(1001 + i) + "000000")))

# The bottle deposit: its own item, added with every drink that carries it (deposit_sku);
# "Deposit Bottle Return" (group deposit_return) takes empties back as a negative line.
DEPOSIT_SKU = f"SKU{10001 + len(rows)}"
rows.append(("Bottle Deposit", 25, "each", "zero", 0, code()))
deposit_items = {"Mineral Water 1.5L", "Cola 1.5L", "Lemonade 0.5L", "Energy Drink 250ml", "Lager Beer 0.5L"}
# minimum ages (German rules): beer and wine 16, spirits and tobacco 18
min_age = {"Lager Beer 0.5L": 16, "Red Wine Merlot 0.75L": 16, "White Wine Riesling 0.75L": 16,
           "Gin 0.7L": 18, "Whisky 12 Years 0.7L": 18, "Cigarettes 20": 18}

def group_of(name):
    if name == "Deposit Bottle Return":
        return "deposit_return"
    if name.endswith("Ice Cream 500ml"):
        return "icecream"      # mix-and-match across the flavours
    return ""

with open("assets/demo-catalog.csv", "w") as out:
    out.write("sku,barcode,name,price,unit,tax_class,age_restricted,group,deposit_sku\n")
    for i, (name, price, unit, tax, age, bc) in enumerate(rows):
        age = min_age.get(name, age)
        dep = DEPOSIT_SKU if name in deposit_items or name.endswith("Soda 0.33L") else ""
        out.write(f"SKU{10001 + i},{bc},{name},{price},{unit},{tax},{age},{group_of(name)},{dep}\n")
print(len(rows), "products")
