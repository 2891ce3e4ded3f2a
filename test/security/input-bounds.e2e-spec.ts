import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
// class-transformer's own registry of @Type(): which class a nested field holds
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: { findTypeMetadata(target: Function, property: string): { typeFunction(): Function } | undefined };
};
import { startStandalone, type RunningApp } from '@lianban/testing/standalone';

/**
 * Every field a client can send is bounded (issue 9 item 7): found by walking every handler of the
 * running app to the classes of its body and query, and their nested classes. A string needs a
 * length or a shape (MaxLength, Matches, IsIn, IsUUID, a date/moment, …), an array a maximum size.
 * Together with the 256 kB body limit (413), no field of a new DTO can grow without bound
 * unnoticed.
 */
const SHAPED = new Set([
  'maxLength', 'matches', 'isIn', 'isEnum', 'isUuid', 'isIso8601', 'isISO8601', 'isMoment', 'isChinaDate', 'isInstant', 'isDateString', 'isBoolean',
  'isInt', 'isNumber', 'max', 'length', 'isLatitude', 'isLongitude',
]);

describe('input bounds of every DTO', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startStandalone();
  });
  afterAll(() => running?.close());

  it('bounds every string and array field of every body and query', () => {
    const dtos = new Set<Function>();
    const scanner = new MetadataScanner();
    for (const mod of running.app.get(ModulesContainer).values()) {
      for (const wrapper of mod.controllers.values()) {
        const proto = Object.getPrototypeOf(wrapper.instance ?? {});
        for (const name of scanner.getAllMethodNames(proto)) {
          const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, wrapper.metatype as Function, name) ?? {}) as Record<string, { index: number }>;
          const types = (Reflect.getMetadata('design:paramtypes', proto, name) ?? []) as Function[];
          for (const [key, arg] of Object.entries(args)) {
            const kind = Number(key.split(':')[0]);
            if ((kind === RouteParamtypes.BODY || kind === RouteParamtypes.QUERY) && types[arg.index] && types[arg.index] !== Object) dtos.add(types[arg.index]);
          }
        }
      }
    }
    const unbounded: string[] = [];
    const seen = new Set<Function>();
    const visit = (dto: Function) => {
      if (seen.has(dto)) return;
      seen.add(dto);
      const metas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
      const byProperty = new Map<string, string[]>();
      for (const m of metas) byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m.name ?? m.type]);
      for (const [property, names] of byProperty) {
        const nested = defaultMetadataStorage.findTypeMetadata(dto, property);
        if (nested) visit(nested.typeFunction() as Function);
        if (names.includes('isArray') && !names.includes('arrayMaxSize')) unbounded.push(`${dto.name}.${property}: an array without ArrayMaxSize`);
        const isString = names.includes('isString') || names.includes('isNotEmpty');
        if (isString && !names.some((n) => SHAPED.has(n))) unbounded.push(`${dto.name}.${property}: a string without MaxLength or a shape`);
      }
    };
    for (const dto of dtos) visit(dto);
    expect(unbounded).toEqual([]);
    // the walk found the DTOs (registration and its nested petitioner among them)
    expect([...seen].map((d) => d.name)).toEqual(expect.arrayContaining(['RegisterPetitionDto', 'PetitionerDto', 'AssignAgenciesDto', 'AssignedAgencyDto', 'ErasePersonalDataDto']));
    expect(seen.size).toBeGreaterThan(20);
  });
});
