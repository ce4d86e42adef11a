// Grafana's JSON model of a TPS dashboard, built with the Grafana Foundation SDK (@grafana/grafana-foundation-sdk):
// its typed builders give each panel kind its own options and lay the panels out on the 24-column grid.
// What is written here is only the TPS look shared by every panel: datasource, legend, tooltip, colours.
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import {
  LegendDisplayMode,
  LegendPlacement,
  LogsSortOrder,
  ReduceDataOptionsBuilder,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  FieldColorBuilder,
  FieldColorModeId,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  TimePickerBuilder,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Panel,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GaugePanel } from '@grafana/grafana-foundation-sdk/gauge';
import { PanelBuilder as HeatmapPanel, YAxisConfigBuilder } from '@grafana/grafana-foundation-sdk/heatmap';
import { PanelBuilder as LogsPanel } from '@grafana/grafana-foundation-sdk/logs';
import { DataqueryBuilder as LokiQuery } from '@grafana/grafana-foundation-sdk/loki';
import { DataqueryBuilder as PromQuery, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelinePanel } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { BOARD, DATASOURCES, TRACES, WARN_LOGS, type Item, type PanelSpec } from './spec.js';

export interface DashboardSpec {
  uid: string;
  title: string;
  items: readonly Item[];
  vars: readonly (keyof typeof VARIABLES)[];
}

const VARIABLES = {
  lane: { label: 'Lane', query: 'label_values(queue_depth, lane)' },
  pool: { label: 'Pool', query: 'label_values(worker_pool_size, pool)' },
} as const;

function variable(name: keyof typeof VARIABLES) {
  const { label, query } = VARIABLES[name];
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCES.prometheus)
    .definition(query)
    .query({ query, refId: name })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .includeAll(true)
    .multi(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' })
    .sort(VariableSort.AlphabeticalAsc);
}

const valueMappings = (mappings: NonNullable<PanelSpec['mappings']>): ValueMapping[] => [
  {
    type: MappingType.ValueToText,
    options: Object.fromEntries(
      Object.entries(mappings).map(([value, [text, color]], index) => [value, { text, color, index }]),
    ),
  },
];

const link = (title: string, url: string) =>
  new DashboardLinkBuilder(title).type(DashboardLinkType.Link).url(url).targetBlank(true);

/** One panel kind's builder, with what every kind shares: title, description, datasource, size, queries. */
function panelBuilder(spec: PanelSpec) {
  const source = spec.datasource ?? 'prometheus';
  const kind = spec.type ?? 'timeseries';
  const builder =
    kind === 'stat'
      ? new StatPanel().reduceOptions(
          new ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false),
        )
      : kind === 'gauge'
        ? new GaugePanel()
        : kind === 'state-timeline'
          ? new StateTimelinePanel()
          : kind === 'heatmap'
            ? new HeatmapPanel().calculate(false).yAxis(new YAxisConfigBuilder().unit(spec.unit ?? 'short'))
            : kind === 'logs'
              ? new LogsPanel()
                  .showTime(true)
                  .wrapLogMessage(true)
                  .enableLogDetails(true)
                  .sortOrder(LogsSortOrder.Descending)
              : new TimeseriesPanel();
  builder
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCES[source])
    .span(spec.w ?? 8)
    .height(spec.h ?? 8)
    .targets(
      spec.targets.map((target, index) => {
        const refId = String.fromCharCode(65 + index);
        if (source === 'loki')
          return new LokiQuery().refId(refId).datasource(DATASOURCES.loki).expr(target.expr);
        const query = new PromQuery().refId(refId).datasource(DATASOURCES.prometheus).expr(target.expr);
        if (target.legend) query.legendFormat(target.legend);
        if (kind === 'heatmap') query.format(PromQueryFormat.Heatmap);
        return query;
      }),
    );
  if (spec.links) builder.links(spec.links.map((l) => link(l.title, l.url)));
  return builder;
}

/** Field settings and the legend and tooltip, on the panel kinds that have them (all but logs). */
function panel(spec: PanelSpec): Builder<Panel> {
  const builder = panelBuilder(spec);
  if (builder instanceof LogsPanel) return builder;
  if (spec.unit) builder.unit(spec.unit);
  if (spec.min !== undefined) builder.min(spec.min);
  if (spec.max !== undefined) builder.max(spec.max);
  builder
    .mappings(spec.mappings ? valueMappings(spec.mappings) : [])
    .thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps((spec.steps ?? [[null, 'green']]).map(([value, color]) => ({ value, color }))),
    )
    .colorScheme(
      new FieldColorBuilder().mode(
        spec.steps || spec.mappings ? FieldColorModeId.Thresholds : FieldColorModeId.PaletteClassic,
      ),
    );
  const tooltip = new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending);
  const legend = new VizLegendOptionsBuilder()
    .displayMode(LegendDisplayMode.List)
    .placement(LegendPlacement.Bottom)
    .showLegend(true);
  if (builder instanceof TimeseriesPanel || builder instanceof StateTimelinePanel)
    builder.legend(legend).tooltip(tooltip);
  return builder;
}

export function dashboardJson(spec: DashboardSpec): Dashboard {
  const dashboard = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(
      'TPS Reference System, generated by scripts/dashboards.ts; docs/observability.md describes each panel.',
    )
    .tags(['tps'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('5s')
    .version(1)
    .time({ from: 'now-30m', to: 'now' })
    .timepicker(new TimePickerBuilder().refreshIntervals(['5s', '10s', '30s', '1m', '5m']))
    .timezone('browser')
    .links([
      new DashboardLinkBuilder('TPS dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags(['tps'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
      ...[TRACES, WARN_LOGS, BOARD].map((l) => link(l.title, l.url).icon('external link')),
    ])
    .variables(spec.vars.map(variable))
    // Grafana's own annotations and alerts, as Grafana writes them into every dashboard it saves.
    .annotations([
      new AnnotationQueryBuilder()
        .name('Annotations & Alerts')
        .type('dashboard')
        .builtIn(1)
        .datasource({ type: 'grafana', uid: '-- Grafana --' })
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)'),
    ]);
  for (const item of spec.items) {
    if ('row' in item) dashboard.withRow(new RowBuilder(item.row).collapsed(false));
    else dashboard.withPanel(panel(item));
  }
  const built = dashboard.build();
  // Panel ids in order, as Grafana numbers panels it loads without one.
  built.panels?.forEach((p, index) => (p.id = index + 1));
  // The SDK's default placement hides a link or an annotation toggle in the dashboard controls menu; these
  // belong in the top bar.
  built.links?.forEach((l) => delete l.placement);
  built.annotations?.list?.forEach((a) => delete a.placement);
  return built;
}
