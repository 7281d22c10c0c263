// Service shapes → the phone's compact shapes (contracts/mobile/shapes.ts).
import type {
  MobileAppointment,
  MobileNotice,
  MobileProgram,
  MobileProgramDetail,
  MobileResource,
} from '../../contracts/mobile/index.ts';

export interface Appointment {
  id: string;
  serviceType: string;
  startsAt: string;
  status: MobileAppointment['status'];
  notes: string | null;
  programId: string | null;
}
export interface Program {
  id: string;
  title: string;
  summary: string | null;
  category: string | null;
  link: string | null;
  startsAt: string | null;
  endsAt: string | null;
}
export interface Resource {
  id: string;
  title: string;
  contentType: string;
  size: number;
  version: number;
  etag: string;
  createdAt: string;
}
export interface Notice {
  id: string;
  appointmentId: string;
  status: string;
  title: string;
  createdAt: string;
  readAt: string | null;
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `2026-12-01T10:00:00.000Z` → `2026-12-01T10:00Z` (seconds kept when not zero). */
export function shortDate(iso: string): string {
  const date = new Date(iso);
  const full = date.toISOString();
  return date.getUTCSeconds() === 0 && date.getUTCMilliseconds() === 0
    ? `${full.slice(0, 16)}Z`
    : `${full.slice(0, 19)}Z`;
}

export function mobileAppointment(a: Appointment): MobileAppointment {
  return {
    id: a.id,
    type: a.serviceType,
    at: shortDate(a.startsAt),
    status: a.status,
    ...(a.notes ? { notes: a.notes } : {}),
    ...(a.programId ? { program: a.programId } : {}),
  };
}

export function mobileProgram(p: Program): MobileProgram {
  return {
    id: p.id,
    title: p.title,
    ...(p.category ? { category: p.category } : {}),
    ...(p.startsAt ? { at: shortDate(p.startsAt) } : {}),
    ...(p.endsAt ? { end: shortDate(p.endsAt) } : {}),
  };
}

export function mobileProgramDetail(p: Program): MobileProgramDetail {
  return {
    ...mobileProgram(p),
    ...(p.summary ? { summary: p.summary } : {}),
    ...(p.link ? { link: p.link } : {}),
  };
}

export function mobileResource(r: Resource, downloadPath: string): MobileResource {
  return {
    id: r.id,
    title: r.title,
    size: r.size,
    sha256: r.etag.replace(/"/g, ''),
    etag: r.etag,
    type: r.contentType,
    v: r.version,
    url: `${downloadPath}/${r.id}/download`,
    at: shortDate(r.createdAt),
  };
}

export function mobileNotice(n: Notice): MobileNotice {
  return {
    id: n.id,
    title: n.title,
    status: n.status,
    appointment: n.appointmentId,
    at: shortDate(n.createdAt),
    read: n.readAt !== null,
  };
}
