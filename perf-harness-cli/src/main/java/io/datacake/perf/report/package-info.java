/**
 * The files a {@code perf-harness run} leaves behind and the pages drawn from them: {@link
 * io.datacake.perf.report.RunData} holds what a run measured, {@link io.datacake.perf.report.RunReportWriter} writes
 * it as HdrHistogram percentile distributions ({@code .hgrm}), interval logs ({@code .hlog}), {@code summary.json} and
 * a self-contained {@code report.html}; {@link io.datacake.perf.report.ReportCommand} ({@code perf-harness report})
 * overlays several runs on one page to compare them.
 */
package io.datacake.perf.report;
