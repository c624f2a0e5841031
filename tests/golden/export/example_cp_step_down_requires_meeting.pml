/* stepcheck's finite model of 'examplevale' (example.yaml),
   as spec/SEMANTICS.md defines it ("The checker's finite model").
   Checks property 'cp_step_down_requires_meeting' (cp_step_down_requires_meeting); must reading; people comply with due deadlines and limits.
   Written by `stepcheck export --format promela`: edit the spec, not this file.
   Each step prints "@step <kind> <name>" and "@state <values>" for trail replay. */

#define OFF (-2)  /* a timer that is not running */
#define NOBODY 255  /* the owner a shut re-referral window records */

/* statuses */
#define S_early_help 0
#define S_awaiting_tam 1
#define S_in_tray 2
#define S_child_in_need 3
#define S_child_protection 4
#define S_closed 5
/* owners */
#define O_none 0
#define O_unspecified 1
#define O_fs_worker 2
#define O_sw_worker 3
#define O_sw_tray 4
/* tiers */
#define T_closed 0
#define T_universal 1
#define T_early_help 2
#define T_targeted 3
#define T_assessment 4
#define T_cin 5
#define T_cp 6
#define T_cla 7
#define T_leaving_care 8
/* levels of 'allocation_dispute' (0: no dispute open) */
#define L_managers_discuss 1
#define L_head_decides 2

#define TIER(s) ((((s) == S_early_help) || ((s) == S_awaiting_tam)) -> T_early_help : ((((s) == S_in_tray) || ((s) == S_child_in_need)) -> T_cin : (((s) == S_child_protection) -> T_cp : T_closed)))
#define ALLOCATED(o) (((o) == O_fs_worker) || ((o) == O_sw_worker))
#define RESPONSIBLE(o) (((o) == O_fs_worker) || ((o) == O_sw_worker) || ((o) == O_sw_tray))
#define FINAL(s) ((s) == S_closed)

/* the state */
byte status;
byte owner;
byte co_owner = O_none;
byte previous_owner = O_none;
bool v_consent = false;
byte v_referrals = 0;
bool held_tam;
bool held_handover;
short dl_allocate_within_two_days = OFF;
byte lv_allocation_dispute;
short lt_allocation_dispute = OFF;
short dt_allocation_dispute = OFF;
short win_back_within_three_months = OFF;
byte wo_back_within_three_months = NOBODY;
byte ph_tam;

/* scratch: set and read within one step, 0 between steps */
bool bad;
byte new_owner;
byte old_owner;
bool opens_allocation_dispute;
bool opens_back_within_three_months;
short pick_2;
bool starts_allocate_within_two_days;

/* when each event can happen (SEMANTICS.md, "When an event can happen") */
#define EN_request_step_up ((status == S_early_help) && (v_referrals < 3) && ((v_referrals + 1) >= 0 && (v_referrals + 1) <= 3))
#define EN_tam_accepts ((status == S_awaiting_tam) && (ph_tam == 0))
#define EN_tam_declines ((status == S_awaiting_tam) && (ph_tam == 0))
#define EN_allocate (status == S_in_tray)
#define EN_urgent_step_up ((status == S_early_help) || (status == S_awaiting_tam))
#define EN_give_consent true
#define EN_hold_handover ((status == S_child_in_need) || (status == S_child_protection))
#define EN_step_down (((status == S_child_in_need) || (status == S_child_protection)) && v_consent)
#define EN_close_case ((status == S_early_help) || (status == S_child_in_need))

/* time waits for people who comply (SEMANTICS.md, "Ticks") */
#define BLOCKED (((dl_allocate_within_two_days == 0) && EN_allocate) || (((lv_allocation_dispute == L_managers_discuss) || (lv_allocation_dispute == L_head_decides)) && (lt_allocation_dispute == 0 || dt_allocation_dispute == 0)))

/* the state, in the order checker/promela_names.py reads it back */
inline show_state() {
  printf("@state %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d\n", status, owner, co_owner, previous_owner, v_consent, v_referrals, held_tam, held_handover, dl_allocate_within_two_days, lv_allocation_dispute, lt_allocation_dispute, dt_allocation_dispute, win_back_within_three_months, wo_back_within_three_months, ph_tam)
}

active proctype protocol() {
  atomic {
    status = S_early_help; owner = O_fs_worker;
    select(ph_tam : 0 .. 4);
    show_state()
  };
  do
  /* event request_step_up: early_help -> awaiting_tam */
  :: atomic { EN_request_step_up ->
       v_referrals = (v_referrals + 1);
       if :: (win_back_within_three_months != OFF) -> new_owner = wo_back_within_three_months :: (win_back_within_three_months == OFF) -> new_owner = owner fi;
       d_step {
         status = S_awaiting_tam;
         if :: (new_owner != owner) -> previous_owner = owner; owner = new_owner :: else -> skip fi;
         printf("@step event request_step_up\n");
         show_state();
         new_owner = 0
       }
     }
  /* event tam_accepts: awaiting_tam -> in_tray */
  :: d_step { EN_tam_accepts ->
       new_owner = O_sw_tray;
       held_tam = false;
       held_handover = false;
       held_tam = true;
       status = S_in_tray;
       if :: (new_owner != owner) -> previous_owner = owner; owner = new_owner :: else -> skip fi;
       starts_allocate_within_two_days = true;
       if :: starts_allocate_within_two_days -> dl_allocate_within_two_days = 2 :: else -> skip fi;
       printf("@step event tam_accepts\n");
       show_state();
       new_owner = 0;
       starts_allocate_within_two_days = 0
     }
  /* event tam_declines: awaiting_tam -> early_help */
  :: d_step { EN_tam_declines ->
       new_owner = O_fs_worker;
       held_tam = true;
       status = S_early_help;
       if :: (new_owner != owner) -> previous_owner = owner; owner = new_owner :: else -> skip fi;
       opens_allocation_dispute = (lv_allocation_dispute == 0);
       if :: opens_allocation_dispute -> lv_allocation_dispute = L_managers_discuss :: else -> skip fi;
       if :: opens_allocation_dispute -> lt_allocation_dispute = 1 :: else -> skip fi;
       printf("@step event tam_declines\n");
       show_state();
       new_owner = 0;
       opens_allocation_dispute = 0
     }
  /* event allocate: in_tray -> child_in_need */
  :: d_step { EN_allocate ->
       new_owner = O_sw_worker;
       status = S_child_in_need;
       if :: (new_owner != owner) -> previous_owner = owner; owner = new_owner :: else -> skip fi;
       if :: (dl_allocate_within_two_days != OFF) -> dl_allocate_within_two_days = OFF :: else -> skip fi;
       printf("@step event allocate\n");
       show_state();
       new_owner = 0
     }
  /* event urgent_step_up: early_help, awaiting_tam -> child_protection */
  :: d_step { EN_urgent_step_up ->
       new_owner = O_sw_worker;
       held_tam = false;
       held_handover = false;
       status = S_child_protection;
       if :: (new_owner != owner) -> previous_owner = owner; owner = new_owner :: else -> skip fi;
       printf("@step event urgent_step_up\n");
       show_state();
       new_owner = 0
     }
  /* event give_consent: in any */
  :: d_step { EN_give_consent ->
       v_consent = true;
       printf("@step event give_consent\n");
       show_state()
     }
  /* event hold_handover: in child_in_need, child_protection */
  :: d_step { EN_hold_handover ->
       held_handover = true;
       printf("@step event hold_handover\n");
       show_state()
     }
  /* event step_down: child_in_need, child_protection -> early_help */
  :: d_step { EN_step_down ->
       bad = ((status == S_child_protection) && !held_handover);
       new_owner = O_fs_worker;
       held_tam = false;
       held_handover = false;
       status = S_early_help;
       if :: (new_owner != owner) -> previous_owner = owner; owner = new_owner :: else -> skip fi;
       printf("@step event step_down\n");
       show_state();
       assert(!bad);
       bad = 0;
       new_owner = 0
     }
  /* event close_case: early_help, child_in_need -> closed */
  :: atomic { EN_close_case ->
       d_step {
         old_owner = owner;
         new_owner = O_none;
         held_tam = false;
         held_handover = false;
         status = S_closed;
         if :: (new_owner != owner) -> previous_owner = owner; owner = new_owner :: else -> skip fi;
         opens_back_within_three_months = true
       };
       if :: opens_back_within_three_months -> pick_2 = 59 :: opens_back_within_three_months -> pick_2 = 60 :: opens_back_within_three_months -> pick_2 = 61 :: opens_back_within_three_months -> pick_2 = 62 :: opens_back_within_three_months -> pick_2 = 63 :: opens_back_within_three_months -> pick_2 = 64 :: opens_back_within_three_months -> pick_2 = 65 :: opens_back_within_three_months -> pick_2 = 66 :: else -> skip fi;
       d_step {
         if :: opens_back_within_three_months -> win_back_within_three_months = pick_2; wo_back_within_three_months = old_owner :: else -> skip fi;
         printf("@step event close_case\n");
         show_state();
         new_owner = 0;
         old_owner = 0;
         opens_back_within_three_months = 0;
         pick_2 = 0
       }
     }
  /* escalate allocation_dispute: managers_discuss -> head_decides */
  :: d_step { (lv_allocation_dispute == L_managers_discuss) ->
       lv_allocation_dispute = L_head_decides;
       lt_allocation_dispute = OFF;
       printf("@step escalate allocation_dispute\n");
       show_state()
     }
  /* decide allocation_dispute at head_decides */
  :: d_step { (lv_allocation_dispute == L_head_decides) ->
       lv_allocation_dispute = 0;
       lt_allocation_dispute = OFF;
       dt_allocation_dispute = OFF;
       printf("@step decide allocation_dispute\n");
       show_state()
     }
  /* tick: one working day passes */
  :: atomic { !BLOCKED ->
       d_step {
         if :: (dl_allocate_within_two_days >= 0) -> dl_allocate_within_two_days-- :: else -> skip fi;
         if :: (lt_allocation_dispute >= 0) -> lt_allocation_dispute-- :: else -> skip fi;
         if :: (dt_allocation_dispute >= 0) -> dt_allocation_dispute-- :: else -> skip fi;
         if :: (win_back_within_three_months == 0) -> win_back_within_three_months = OFF; wo_back_within_three_months = NOBODY :: (win_back_within_three_months > 0) -> win_back_within_three_months-- :: else -> skip fi
       };
       if :: (ph_tam >= 2) -> ph_tam = 0 :: (ph_tam < 4) -> ph_tam++ fi;
       d_step {
         printf("@step tick\n");
         show_state()
       }
     }
  od
}
