// A campus for GraphQL tests: staff, students, programs and appointments joining them, written
// straight into the services' tables (the REST flow for 50 bookings would only slow the tests).
import { randomUUID } from 'node:crypto';
import type { TestServices, TestUser } from '../../../services/testing/index.ts';

export interface Campus {
  staff: TestUser[];
  students: TestUser[];
  admin: string;
  programIds: string[];
  appointmentIds: string[];
}

export async function seedCampus(
  services: TestServices,
  counts: { appointments: number; programs: number; staff: number; students: number },
): Promise<Campus> {
  const staff: TestUser[] = [];
  for (let index = 0; index < counts.staff; index++)
    staff.push(await services.createUser('staff', { name: `Staff ${index}` }));
  const students: TestUser[] = [];
  for (let index = 0; index < counts.students; index++)
    students.push(await services.createUser('student', { name: `Student ${index}` }));
  const programIds: string[] = [];
  for (let index = 0; index < counts.programs; index++) {
    const id = randomUUID();
    await services.db.query(
      `insert into programs.programs (id, guid, title, summary, category, feed, starts_at)
       values ($1, $2, $3, 'seeded', 'wellbeing', 'test', now() + interval '1 day')`,
      [id, `seed-${id}`, `Program ${index}`],
    );
    programIds.push(id);
  }
  const appointmentIds: string[] = [];
  for (let index = 0; index < counts.appointments; index++) {
    const id = randomUUID();
    await services.db.query(
      `insert into appointments.appointments (id, student_id, staff_id, program_id, service_type, starts_at, status)
       values ($1, $2, $3, $4, 'counselling', now() + ($5 || ' hours')::interval, 'confirmed')`,
      [
        id,
        students[index % students.length]!.id,
        staff[index % staff.length]!.id,
        programIds[index % programIds.length],
        String(index + 1),
      ],
    );
    appointmentIds.push(id);
  }
  return { staff, students, admin: await services.adminToken(), programIds, appointmentIds };
}
