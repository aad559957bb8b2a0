/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A small SVG chart: lines and points over linear axes, with ticks and a legend; or bars. Text is escaped. */
final class Svg {
    private static final int W = 640;
    private static final int H = 400;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

    /** One series: points, drawn as a line or as dots. */
    record Series(String name, double[] x, double[] y, boolean line) {
    }

    private Svg() {
    }

    static String chart(String title, String xLabel, String yLabel, List<Series> series) {
        double xMin = Double.MAX_VALUE;
        double xMax = -Double.MAX_VALUE;
        double yMax = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                xMin = Math.min(xMin, s.x()[i]);
                xMax = Math.max(xMax, s.x()[i]);
                yMax = Math.max(yMax, s.y()[i]);
            }
        }
        double yTop = nice(yMax * 1.1);
        StringBuilder b = head(title);
        axes(b, xLabel, yLabel, xMin, xMax, 0, yTop);
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String colour = COLOURS[k % COLOURS.length];
            if (s.line()) {
                List<String> pts = new ArrayList<>();
                for (int i = 0; i < s.x().length; i++) {
                    pts.add(fmt(px(s.x()[i], xMin, xMax)) + "," + fmt(py(s.y()[i], 0, yTop)));
                }
                b.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
                        .append(String.join(" ", pts)).append("\"/>\n");
            } else {
                for (int i = 0; i < s.x().length; i++) {
                    b.append("<circle r=\"4\" fill=\"").append(colour).append("\" cx=\"")
                            .append(fmt(px(s.x()[i], xMin, xMax))).append("\" cy=\"")
                            .append(fmt(py(s.y()[i], 0, yTop))).append("\"/>\n");
                }
            }
            legend(b, k, s.name(), colour);
        }
        return b.append("</svg>\n").toString();
    }

    /** Bars, one per label, one colour per series (grouped). */
    static String bars(String title, String yLabel, List<String> labels, List<String> seriesNames, double[][] values) {
        double yMax = 0;
        for (double[] v : values) {
            for (double x : v) {
                yMax = Math.max(yMax, x);
            }
        }
        double yTop = nice(Math.max(yMax * 1.1, 1e-9));
        StringBuilder b = head(title);
        axes(b, "", yLabel, 0, 0, 0, yTop);
        double groupW = (W - LEFT - RIGHT) / (double) labels.size();
        double barW = groupW * 0.7 / seriesNames.size();
        for (int g = 0; g < labels.size(); g++) {
            double x0 = LEFT + g * groupW + groupW * 0.15;
            for (int s = 0; s < seriesNames.size(); s++) {
                double v = values[s][g];
                double y = py(v, 0, yTop);
                b.append("<rect fill=\"").append(COLOURS[s % COLOURS.length]).append("\" x=\"")
                        .append(fmt(x0 + s * barW)).append("\" y=\"").append(fmt(y)).append("\" width=\"")
                        .append(fmt(barW - 2)).append("\" height=\"").append(fmt(H - BOTTOM - y)).append("\"/>\n");
                text(b, x0 + s * barW + barW / 2, y - 4, String.format(Locale.ROOT, "%.1f", v), "middle", 11);
            }
            text(b, LEFT + g * groupW + groupW / 2, H - BOTTOM + 18, labels.get(g), "middle", 12);
        }
        for (int s = 0; s < seriesNames.size(); s++) {
            legend(b, s, seriesNames.get(s), COLOURS[s % COLOURS.length]);
        }
        return b.append("</svg>\n").toString();
    }

    private static StringBuilder head(String title) {
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(b, W / 2.0, 22, title, "middle", 15);
        return b;
    }

    private static void axes(StringBuilder b, String xLabel, String yLabel, double xMin, double xMax, double yMin,
            double yMax) {
        b.append("<line stroke=\"black\" x1=\"").append(LEFT).append("\" y1=\"").append(H - BOTTOM).append("\" x2=\"")
                .append(W - RIGHT).append("\" y2=\"").append(H - BOTTOM).append("\"/>\n");
        b.append("<line stroke=\"black\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"")
                .append(LEFT).append("\" y2=\"").append(H - BOTTOM).append("\"/>\n");
        for (int i = 0; i <= 5; i++) {
            double v = yMin + (yMax - yMin) * i / 5;
            double y = py(v, yMin, yMax);
            b.append("<line stroke=\"#ddd\" x1=\"").append(LEFT).append("\" y1=\"").append(fmt(y)).append("\" x2=\"")
                    .append(W - RIGHT).append("\" y2=\"").append(fmt(y)).append("\"/>\n");
            text(b, LEFT - 6, y + 4, label(v), "end", 11);
        }
        if (xMax > xMin) {
            for (int i = 0; i <= 5; i++) {
                double v = xMin + (xMax - xMin) * i / 5;
                text(b, px(v, xMin, xMax), H - BOTTOM + 16, label(v), "middle", 11);
            }
        }
        text(b, (LEFT + W - RIGHT) / 2.0, H - 16, xLabel, "middle", 12);
        b.append("<text font-size=\"12\" text-anchor=\"middle\" transform=\"translate(16,")
                .append(fmt((TOP + H - BOTTOM) / 2.0)).append(") rotate(-90)\">").append(escape(yLabel))
                .append("</text>\n");
    }

    private static void legend(StringBuilder b, int k, String name, String colour) {
        double y = TOP + 8 + k * 16;
        b.append("<rect fill=\"").append(colour).append("\" x=\"").append(LEFT + 12).append("\" y=\"")
                .append(fmt(y - 9))
                .append("\" width=\"10\" height=\"10\"/>\n");
        text(b, LEFT + 28, y, name, "start", 12);
    }

    private static void text(StringBuilder b, double x, double y, String s, String anchor, int size) {
        b.append("<text font-size=\"").append(size).append("\" text-anchor=\"").append(anchor).append("\" x=\"")
                .append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\">").append(escape(s)).append("</text>\n");
    }

    private static double px(double v, double min, double max) {
        return LEFT + (v - min) / (max - min) * (W - LEFT - RIGHT);
    }

    private static double py(double v, double min, double max) {
        return H - BOTTOM - (v - min) / (max - min) * (H - TOP - BOTTOM);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    static double nice(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[]{1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String label(double v) {
        return Math.abs(v - Math.rint(v)) < 1e-9 ? Long.toString(Math.round(v)) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
