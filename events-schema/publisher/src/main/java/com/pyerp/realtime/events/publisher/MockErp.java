package com.pyerp.realtime.events.publisher;

import com.pyerp.realtime.events.EventCatalog;
import com.pyerp.realtime.events.EventDefinition;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small simulated pyERP plant: three warehouses with stock of twelve SKUs, customers and sales orders that move
 * through their statuses, production orders on three lines with their machines, KPIs, users. Each {@link #next()}
 * advances the world by one activity (a pick, a new order, a machine stop...) and returns the events it causes, so
 * the stream is consistent: a shipped order was created and picked before, available stock never exceeds on hand,
 * a low-stock alert follows the pick that caused it.
 *
 * <p>Deterministic for a given seed and clock. Not thread-safe.
 */
final class MockErp {
    static final List<String> WAREHOUSES = List.of("WH-1", "WH-2", "WH-3");
    static final List<String> LINES = List.of("L1", "L2", "L3");
    private static final List<String> CUSTOMERS =
            List.of("C-10", "C-11", "C-12", "C-20", "C-21", "C-30", "C-31", "C-88");
    private static final Map<String, String> CUSTOMER_NAMES = Map.of(
            "C-10",
            "Müller Maschinenbau GmbH",
            "C-11",
            "Nordlicht Logistik AG",
            "C-12",
            "Bäckerei Sonnenschein",
            "C-20",
            "Atlas Components Ltd",
            "C-21",
            "Rivera Tools S.L.",
            "C-30",
            "Kowalski Meble",
            "C-31",
            "Ferro & Figli",
            "C-88",
            "Hansen Agrar KG");
    private static final List<String> CARRIERS = List.of("DHL", "UPS", "DB Schenker", "GLS");
    private static final Map<String, List<String>> MACHINES = Map.of(
            "L1", List.of("CNC-01", "CNC-02", "PRS-01"),
            "L2", List.of("CNC-03", "CNC-04", "WLD-01"),
            "L3", List.of("ASM-01", "ASM-02", "PKG-01"));
    private static final List<String> MACHINE_STATUSES = List.of("running", "idle", "setup", "down", "maintenance");
    private static final Map<String, String> DOWN_REASONS = Map.of(
            "SPINDLE_OVERHEAT",
            "Spindle temperature above limit",
            "TOOL_BREAK",
            "Tool breakage detected",
            "NO_MATERIAL",
            "Material shortage at the infeed",
            "E_STOP",
            "Emergency stop pressed");
    private static final List<String> KPIS = List.of("oee", "throughput", "scrap_rate");

    private final EventCatalog catalog;
    private final Random random;
    private final Clock clock;
    private final String tenant;
    private final List<String> users;
    private final Set<String> enabled;
    private final List<Activity> activities;
    private final Deque<ErpEvent> queue = new ArrayDeque<>();
    private final JsonMapper json = JsonMapper.builder().build();

    private final List<Sku> skus = new ArrayList<>();
    private final Map<String, Stock> stock = new LinkedHashMap<>();
    private final List<Reservation> reservations = new ArrayList<>();
    private final List<Order> orders = new ArrayList<>();
    private final List<ProductionOrder> productionOrders = new ArrayList<>();
    private final Map<String, String> machineStatus = new LinkedHashMap<>();
    private int nextOrder = 20_000;
    private int nextReservation = 55_000;
    private int nextShipment = 9_000;
    private int nextInvoice = 4_400;
    private int nextProductionOrder = 3_300;
    private int nextNotice;

    private record Sku(String id, double price, double cost, double reorderPoint) {}

    private static final class Stock {
        double onHand;
        double reserved;

        double available() {
            return onHand - reserved;
        }
    }

    private record Reservation(String id, String warehouseId, String sku, double quantity, String orderId) {}

    private static final class Order {
        final String id;
        final String customerId;
        final List<double[]> lines = new ArrayList<>(); // sku index, quantity, unit price
        String status = "confirmed";
        String warehouseId;

        Order(String id, String customerId) {
            this.id = id;
            this.customerId = customerId;
        }

        double total() {
            double t = 0;
            for (double[] l : lines) t += l[1] * l[2];
            return Math.round(t * 100) / 100.0;
        }
    }

    private static final class ProductionOrder {
        final String id;
        final String lineId;
        final String sku;
        final double planned;
        double produced;
        double scrap;
        String status = "planned";

        ProductionOrder(String id, String lineId, String sku, double planned) {
            this.id = id;
            this.lineId = lineId;
            this.sku = sku;
            this.planned = planned;
        }
    }

    /** One kind of thing that happens in the plant, how often (weight), and which events it can emit. */
    private record Activity(String name, double weight, Set<String> emits, Runnable run) {}

    MockErp(
            EventCatalog catalog,
            long seed,
            Clock clock,
            String tenant,
            List<String> users,
            Set<String> enabledEvents) {
        this.catalog = catalog;
        this.random = new Random(seed);
        this.clock = clock;
        this.tenant = tenant;
        this.users = List.copyOf(users);
        this.enabled = Set.copyOf(enabledEvents);
        for (int i = 0; i < 12; i++) {
            double price = 5 + random.nextInt(400) + random.nextInt(100) / 100.0;
            skus.add(new Sku("SKU-" + (1001 + i), price, Math.round(price * 55) / 100.0, 10 + random.nextInt(4) * 5));
        }
        for (String w : WAREHOUSES) {
            for (Sku s : skus) {
                Stock st = new Stock();
                st.onHand = 20 + random.nextInt(200);
                stock.put(w + "/" + s.id, st);
            }
        }
        MACHINES.values().forEach(ms -> ms.forEach(m -> machineStatus.put(m, "running")));
        List<Activity> all = List.of(
                new Activity("pick", 24, Set.of("stock-level-changed", "low-stock-alert"), this::pick),
                new Activity("receipt", 6, Set.of("stock-level-changed"), this::receipt),
                new Activity("count", 3, Set.of("stock-level-changed"), this::count),
                new Activity("reserve", 8, Set.of("stock-reserved"), this::reserve),
                new Activity("release", 6, Set.of("stock-released"), this::release),
                new Activity("shortage", 2, Set.of("low-stock-alert"), this::shortage),
                new Activity("new order", 6, Set.of("order-created"), this::newOrder),
                new Activity(
                        "order progress",
                        10,
                        Set.of("order-status-changed", "order-shipped", "invoice-posted"),
                        this::advanceOrder),
                new Activity("production", 9, Set.of("production-order-status-changed"), this::production),
                new Activity("machine", 5, Set.of("machine-status-changed"), this::machine),
                new Activity("kpi", 10, Set.of("kpi-updated"), this::kpi),
                new Activity("notify", 3, Set.of("user-notification"), this::notifyUsers),
                new Activity("maintenance", 0.3, Set.of("maintenance-notice"), this::maintenance));
        List<Activity> useful = new ArrayList<>();
        for (Activity a : all) {
            if (a.emits.stream().anyMatch(enabled::contains)) useful.add(a);
        }
        if (useful.isEmpty()) throw new IllegalArgumentException("no simulated activity emits any of " + enabled);
        this.activities = List.copyOf(useful);
    }

    /**
     * The event names the simulator can generate: every catalog event except {@link #NOT_SIMULATED} (a simulated
     * revocation would close the very sockets a demo shows).
     */
    static Set<String> eventNames(EventCatalog catalog) {
        Set<String> out = new LinkedHashSet<>();
        for (EventDefinition e : catalog.events()) if (!NOT_SIMULATED.contains(e.name())) out.add(e.name());
        return out;
    }

    /** Catalog events the ERP sends only on purpose: {@code sessions-revoked} ends a user's connections. */
    static final Set<String> NOT_SIMULATED = Set.of("sessions-revoked");

    /** The next enabled event of the simulated plant. */
    ErpEvent next() {
        for (int guard = 0; queue.isEmpty(); guard++) {
            if (guard > 10_000)
                throw new IllegalStateException("the simulation produced none of " + enabled + " in 10000 steps");
            pickActivity().run.run();
        }
        return queue.removeFirst();
    }

    private Activity pickActivity() {
        double total = 0;
        for (Activity a : activities) total += a.weight;
        double r = random.nextDouble() * total;
        for (Activity a : activities) {
            r -= a.weight;
            if (r < 0) return a;
        }
        return activities.get(activities.size() - 1);
    }

    // ---- inventory

    private void pick() {
        String w = pickOf(WAREHOUSES);
        Sku s = pickOf(skus);
        Stock st = stock(w, s);
        double q = 1 + random.nextInt(12);
        if (st.available() < q) {
            restock(w, s, st);
            return;
        }
        st.onHand -= q;
        emitStock(w, s, st, -q, "pick");
        lowStockCheck(w, s, st);
    }

    private void receipt() {
        String w = pickOf(WAREHOUSES);
        Sku s = pickOf(skus);
        restock(w, s, stock(w, s));
    }

    private void restock(String w, Sku s, Stock st) {
        double q = 50 + random.nextInt(20) * 10;
        st.onHand += q;
        emitStock(w, s, st, q, random.nextInt(5) == 0 ? "transfer" : "receipt");
    }

    private void count() {
        String w = pickOf(WAREHOUSES);
        Sku s = pickOf(skus);
        Stock st = stock(w, s);
        double delta = random.nextInt(5) - 2;
        if (st.onHand + delta < st.reserved) delta = 0;
        st.onHand += delta;
        emitStock(w, s, st, delta, delta == 0 ? "count" : "adjustment");
        lowStockCheck(w, s, st);
    }

    private void shortage() {
        String w = pickOf(WAREHOUSES);
        Sku s = pickOf(skus);
        Stock st = stock(w, s);
        double target = random.nextInt((int) s.reorderPoint + 1);
        double q = st.available() - target;
        if (q <= 0) {
            lowStockCheck(w, s, st);
            return;
        }
        st.onHand -= q;
        emitStock(w, s, st, -q, "pick");
        lowStockCheck(w, s, st);
    }

    private void lowStockCheck(String w, Sku s, Stock st) {
        if (st.available() > s.reorderPoint) return;
        ObjectNode d = detail();
        d.put("warehouseId", w);
        d.put("sku", s.id);
        d.put("available", st.available());
        d.put("reorderPoint", s.reorderPoint);
        d.put("suggestedOrderQuantity", s.reorderPoint * 10);
        d.put("severity", st.available() <= 0 ? "critical" : "warning");
        d.put("supplierId", "SUP-" + (10 + skus.indexOf(s) % 4));
        d.put("detectedAt", now());
        emit("low-stock-alert", d);
    }

    private void emitStock(String w, Sku s, Stock st, double delta, String reason) {
        ObjectNode d = detail();
        d.put("warehouseId", w);
        d.put("sku", s.id);
        d.put("onHand", st.onHand);
        d.put("available", st.available());
        d.put("delta", delta);
        d.put("reason", reason);
        d.put("unitCost", s.cost);
        d.put("changedAt", now());
        emit("stock-level-changed", d);
    }

    private void reserve() {
        String w = pickOf(WAREHOUSES);
        Sku s = pickOf(skus);
        Stock st = stock(w, s);
        double q = 1 + random.nextInt(8);
        if (st.available() < q) {
            restock(w, s, st);
            return;
        }
        st.reserved += q;
        Order o = orders.isEmpty() ? null : orders.get(random.nextInt(orders.size()));
        Reservation r = new Reservation("RES-" + (nextReservation++), w, s.id, q, o == null ? null : o.id);
        reservations.add(r);
        ObjectNode d = detail();
        d.put("reservationId", r.id);
        d.put("warehouseId", w);
        d.put("sku", s.id);
        d.put("quantity", q);
        d.put("available", st.available());
        if (r.orderId != null) d.put("orderId", r.orderId);
        Instant t = clock.instant();
        d.put("reservedAt", t.toString());
        d.put("expiresAt", t.plus(1, ChronoUnit.DAYS).toString());
        emit("stock-reserved", d);
    }

    private void release() {
        if (reservations.isEmpty()) {
            reserve();
            return;
        }
        Reservation r = reservations.remove(random.nextInt(reservations.size()));
        Stock st = stock.get(r.warehouseId + "/" + r.sku);
        st.reserved -= r.quantity;
        String[] reasons = {"picked", "picked", "picked", "cancelled", "expired", "manual"};
        String reason = reasons[random.nextInt(reasons.length)];
        ObjectNode d = detail();
        d.put("reservationId", r.id);
        d.put("warehouseId", r.warehouseId);
        d.put("sku", r.sku);
        d.put("quantity", r.quantity);
        d.put("reason", reason);
        d.put("available", st.available());
        if (r.orderId != null) d.put("orderId", r.orderId);
        d.put("releasedAt", now());
        emit("stock-released", d);
        if (reason.equals("picked")) {
            st.onHand -= r.quantity;
            Sku s = skus.stream().filter(k -> k.id.equals(r.sku)).findFirst().orElseThrow();
            emitStock(r.warehouseId, s, st, -r.quantity, "pick");
            lowStockCheck(r.warehouseId, s, st);
        }
    }

    // ---- sales

    private void newOrder() {
        String customer = pickOf(CUSTOMERS);
        Order o = new Order("SO-" + (nextOrder++), customer);
        int lines = 1 + random.nextInt(4);
        List<Integer> chosen = new ArrayList<>();
        while (chosen.size() < lines) {
            int i = random.nextInt(skus.size());
            if (!chosen.contains(i)) chosen.add(i);
        }
        for (int i : chosen) o.lines.add(new double[] {i, 1 + random.nextInt(20), skus.get(i).price});
        o.warehouseId = pickOf(WAREHOUSES);
        orders.add(o);
        ObjectNode d = detail();
        d.put("orderId", o.id);
        d.put("customerId", customer);
        d.put("customerName", CUSTOMER_NAMES.get(customer));
        d.put("salesRepId", "rep-" + (1 + random.nextInt(9)));
        d.put("channel", pickOf(List.of("webshop", "webshop", "edi", "phone", "rep")));
        d.set("lines", lines(o, true));
        d.put("totalAmount", o.total());
        d.put("currency", "EUR");
        d.put(
                "requestedDeliveryDate",
                LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)
                        .plusDays(3 + random.nextInt(14))
                        .toString());
        d.put("createdAt", now());
        emit("order-created", d);
        if (orders.size() > 200) orders.remove(0);
    }

    private ArrayNode lines(Order o, boolean withPrices) {
        ArrayNode a = json.createArrayNode();
        int n = 1;
        for (double[] l : o.lines) {
            ObjectNode line = a.addObject();
            line.put("lineNo", n++);
            line.put("sku", skus.get((int) l[0]).id);
            line.put("quantity", l[1]);
            if (withPrices) line.put("unitPrice", l[2]);
        }
        return a;
    }

    private void advanceOrder() {
        List<Order> open = orders.stream()
                .filter(o -> !o.status.equals("invoiced") && !o.status.equals("cancelled"))
                .toList();
        if (open.isEmpty()) {
            newOrder();
            return;
        }
        Order o = open.get(random.nextInt(open.size()));
        String previous = o.status;
        String next;
        if (random.nextInt(25) == 0 && !previous.equals("shipped")) {
            next = "cancelled";
        } else {
            next = switch (previous) {
                case "confirmed" -> "picking";
                case "picking" -> "shipped";
                default -> "invoiced";
            };
        }
        o.status = next;
        ObjectNode d = detail();
        d.put("orderId", o.id);
        d.put("customerId", o.customerId);
        d.put("previousStatus", previous);
        d.put("status", next);
        d.put("totalAmount", o.total());
        d.put("currency", "EUR");
        d.put("changedAt", now());
        emit("order-status-changed", d);
        if (next.equals("shipped")) {
            ObjectNode s = detail();
            s.put("orderId", o.id);
            s.put("shipmentId", "SHP-" + (nextShipment++));
            s.put("warehouseId", o.warehouseId);
            s.put("customerId", o.customerId);
            s.put("carrier", pickOf(CARRIERS));
            s.put("trackingNumber", "JD" + (100_000_000L + random.nextInt(900_000_000)));
            s.set("lines", lines(o, true));
            s.put("complete", true);
            s.put("shippedAt", now());
            emit("order-shipped", s);
        } else if (next.equals("invoiced")) {
            double net = o.total();
            double tax = Math.round(net * 19) / 100.0;
            ObjectNode i = detail();
            i.put(
                    "invoiceId",
                    "INV-"
                            + LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)
                                    .getYear() + "-" + String.format("%06d", nextInvoice++));
            i.put("orderId", o.id);
            i.put("customerId", o.customerId);
            i.put("netAmount", net);
            i.put("taxAmount", tax);
            i.put("totalAmount", Math.round((net + tax) * 100) / 100.0);
            i.put("currency", "EUR");
            i.put(
                    "dueDate",
                    LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)
                            .plusDays(30)
                            .toString());
            i.put("postedAt", now());
            emit("invoice-posted", i);
        }
    }

    // ---- production

    private void production() {
        List<ProductionOrder> active = productionOrders.stream()
                .filter(p -> !p.status.equals("completed") && !p.status.equals("cancelled"))
                .toList();
        if (active.size() < 2) {
            String line = pickOf(LINES);
            ProductionOrder p = new ProductionOrder(
                    "PO-" + (nextProductionOrder++), line, pickOf(skus).id, 100 + random.nextInt(10) * 50);
            productionOrders.add(p);
            emitProduction(p, null);
            if (productionOrders.size() > 50) productionOrders.remove(0);
            return;
        }
        ProductionOrder p = active.get(random.nextInt(active.size()));
        String previous = p.status;
        switch (previous) {
            case "planned" -> p.status = "released";
            case "released" -> p.status = "in_progress";
            case "paused" -> p.status = "in_progress";
            default -> {
                double step = Math.min(p.planned - p.produced, 10 + random.nextInt(40));
                p.produced += step;
                p.scrap += random.nextInt(10) == 0 ? 1 + random.nextInt(3) : 0;
                if (p.produced >= p.planned) p.status = "completed";
                else if (random.nextInt(15) == 0) p.status = "paused";
            }
        }
        emitProduction(p, previous);
    }

    private void emitProduction(ProductionOrder p, String previous) {
        ObjectNode d = detail();
        d.put("productionOrderId", p.id);
        d.put("lineId", p.lineId);
        d.put("sku", p.sku);
        d.put("plannedQuantity", p.planned);
        d.put("producedQuantity", p.produced);
        d.put("scrapQuantity", p.scrap);
        if (previous != null) d.put("previousStatus", previous);
        d.put("status", p.status);
        d.put("materialCost", Math.round(p.produced * 17.35 * 100) / 100.0);
        d.put("changedAt", now());
        emit("production-order-status-changed", d);
    }

    private void machine() {
        String line = pickOf(LINES);
        String m = pickOf(MACHINES.get(line));
        String previous = machineStatus.get(m);
        String next =
                previous.equals("running") ? pickOf(MACHINE_STATUSES.subList(1, MACHINE_STATUSES.size())) : "running";
        machineStatus.put(m, next);
        ObjectNode d = detail();
        d.put("machineId", m);
        d.put("lineId", line);
        d.put("previousStatus", previous);
        d.put("status", next);
        if (next.equals("down")) {
            String code = pickOf(new ArrayList<>(new TreeSet<>(DOWN_REASONS.keySet())));
            d.put("reasonCode", code);
            d.put("message", DOWN_REASONS.get(code));
        }
        d.put("changedAt", now());
        emit("machine-status-changed", d);
        if (next.equals("down") && !users.isEmpty()) {
            ObjectNode n = detail();
            n.set("userIds", json.valueToTree(users));
            n.put("title", "Line " + line + ": " + m + " is down");
            n.put("body", d.path("message").asString());
            n.put("severity", "warning");
            n.put("link", "/production/lines/" + line);
            emit("user-notification", n);
        }
    }

    private void kpi() {
        ObjectNode d = detail();
        Instant t = clock.instant();
        if (random.nextInt(4) == 0) {
            d.put("kpiId", "on_time_delivery");
            d.put("value", 90 + random.nextInt(100) / 10.0);
            d.put("unit", "%");
            d.put("target", 98);
        } else {
            String kpi = pickOf(KPIS);
            d.put("kpiId", kpi);
            d.put("lineId", pickOf(LINES));
            switch (kpi) {
                case "oee" -> {
                    d.put("value", 0.55 + random.nextInt(40) / 100.0);
                    d.put("unit", "ratio");
                    d.put("target", 0.85);
                }
                case "throughput" -> {
                    d.put("value", 80 + random.nextInt(60));
                    d.put("unit", "pcs/h");
                    d.put("target", 120);
                }
                default -> {
                    d.put("value", random.nextInt(50) / 10.0);
                    d.put("unit", "%");
                    d.put("target", 2);
                }
            }
        }
        d.put("periodStart", t.truncatedTo(ChronoUnit.HOURS).toString());
        d.put("periodEnd", t.toString());
        d.put("computedAt", t.toString());
        emit("kpi-updated", d);
    }

    private void notifyUsers() {
        if (users.isEmpty()) return;
        List<String> to = new ArrayList<>();
        for (String u : users) if (random.nextBoolean()) to.add(u);
        if (to.isEmpty()) to.add(pickOf(users));
        ObjectNode d = detail();
        d.set("userIds", json.valueToTree(to));
        String[][] texts = {
            {
                "Approval needed: purchase order PO-" + (7000 + random.nextInt(999)),
                "A purchase order over your limit waits for approval.",
                "info",
                "/purchasing/approvals"
            },
            {"Your report is ready", "The monthly stock valuation report has been generated.", "info", "/reports"},
            {
                "Order SO-" + (nextOrder - 1) + " was cancelled by the customer",
                "Reservations have been released.",
                "warning",
                "/sales/orders"
            },
            {"Password expires in 3 days", "Change it in your profile settings.", "warning", "/profile"}
        };
        String[] t = texts[random.nextInt(texts.length)];
        d.put("title", t[0]);
        d.put("body", t[1]);
        d.put("severity", t[2]);
        d.put("link", t[3]);
        emit("user-notification", d);
    }

    private void maintenance() {
        Instant start =
                clock.instant().plus(1 + (nextNotice++ % 3), ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS);
        ObjectNode d = detail();
        d.put(
                "message",
                "pyERP will restart at " + start.toString().substring(11, 16)
                        + " UTC for an update (about 10 minutes).");
        d.put("startsAt", start.toString());
        d.put("endsAt", start.plus(10, ChronoUnit.MINUTES).toString());
        emit("maintenance-notice", d);
    }

    // ---- helpers

    private Stock stock(String w, Sku s) {
        return stock.get(w + "/" + s.id);
    }

    private ObjectNode detail() {
        ObjectNode d = json.createObjectNode();
        d.put(catalog.tenantField(), tenant);
        return d;
    }

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private <T> T pickOf(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private void emit(String name, ObjectNode detail) {
        if (!enabled.contains(name)) return;
        EventDefinition def =
                catalog.byName(name).orElseThrow(() -> new IllegalStateException("catalog has no event " + name));
        queue.addLast(ErpEvent.of(def, detail));
    }
}
